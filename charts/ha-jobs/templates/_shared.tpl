{{- /*
GENERATED from tools/templates/shared.tpl by `npm run gen-schema`: edit that file, not this one.
Helpers every chart of this suite shares, prefixed with the chart's name. The seed's storage
placement, the linuxserver environment and security context, the Traefik Ingress and the name-length
rules are defined here and nowhere else. A chart gets only the helpers its templates include
(directly or through another helper): tools/gen/shared.ts computes the set.
*/ -}}

{{/*
Chart name, truncated to 63 characters (DNS label limit).
Usage: {{ include "ha-jobs.name" . }}
*/}}
{{- define "ha-jobs.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name: the release name, or release-chart when the release name does not
contain the chart name. Truncated to 63 characters.
Usage: {{ include "ha-jobs.fullname" . }}
*/}}
{{- define "ha-jobs.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version for the helm.sh/chart label.
Usage: {{ include "ha-jobs.chart" . }}
*/}}
{{- define "ha-jobs.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Selector labels: stable across upgrades, so never the version or user labels.
Usage: {{ include "ha-jobs.selectorLabels" (dict "ctx" $ "component" "streaming") }}
*/}}
{{- define "ha-jobs.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ha-jobs.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
{{- with .component }}
app.kubernetes.io/component: {{ . }}
{{- end }}
{{- end }}

{{/*
Standard labels: the selector labels plus chart, version, manager and part-of.
app.kubernetes.io/version is the component's own version (its image tag) when `version` is given,
else the chart's appVersion; cut to a valid label value (63 characters, alphanumeric at both ends).
Usage: {{ include "ha-jobs.labels" (dict "ctx" $ "component" "streaming" "version" $v.image.tag) }}
*/}}
{{- define "ha-jobs.labels" -}}
helm.sh/chart: {{ include "ha-jobs.chart" .ctx }}
{{ include "ha-jobs.selectorLabels" . }}
{{- with (.version | default .ctx.Chart.AppVersion) }}
app.kubernetes.io/version: {{ regexReplaceAll "^[^A-Za-z0-9]+|[^A-Za-z0-9]+$" (toString . | trunc 63) "" | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/part-of: homelab-media
{{- end }}

{{/*
Image reference: repository:tag, with @digest when one is pinned.
Usage: {{ include "ha-jobs.image" .Values.image }}
*/}}
{{- define "ha-jobs.image" -}}
{{- .repository }}:{{ .tag }}{{ with .digest }}@{{ . }}{{ end }}
{{- end }}

{{/*
The seed's active-passive placement for stateful pods (ARCHITECTURE-DECISIONS.md, "HA Strategy"):
must run on a Longhorn storage node, prefers the primary (w1), tolerates the storage taint, and
leaves an unreachable or not-ready node after tolerationSeconds (default 30: failover in ~60 s).
Renders `affinity` and `tolerations` keys of a pod spec.
Usage: {{- include "ha-jobs.placement.storage" (dict "placement" .Values.placement) | nindent 6 }}
*/}}
{{- define "ha-jobs.placement.storage" -}}
{{- $seconds := 30 }}
{{- with .placement }}{{ with .tolerationSeconds }}{{ $seconds = . }}{{ end }}{{ end }}
affinity:
  nodeAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      nodeSelectorTerms:
        - matchExpressions:
            - key: node.longhorn.io/storage
              operator: In
              values: ["enabled"]
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        preference:
          matchExpressions:
            - key: node.longhorn.io/primary
              operator: In
              values: ["true"]
  {{- with .podAffinity }}
  podAffinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .podAntiAffinity }}
  podAntiAffinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
tolerations:
  - key: node.longhorn.io/storage
    operator: Equal
    value: enabled
    effect: NoSchedule
  - key: node.kubernetes.io/unreachable
    operator: Exists
    effect: NoExecute
    tolerationSeconds: {{ $seconds | int }}
  - key: node.kubernetes.io/not-ready
    operator: Exists
    effect: NoExecute
    tolerationSeconds: {{ $seconds | int }}
{{- end }}

{{/*
Name-length rules of the objects a chart renders, as error lines for the chart's validateValues
(one per name that is too long, empty when all fit). `names` is a list of dicts with `kind`,
`name` and `key` (the value that makes the name, for the message). Limits:
- Service (and a Deployment sharing its name): a DNS-1035 label, at most 63 characters;
- StatefulSet: 52. Its pods carry controller-revision-hash: <name>-<10-character hash>, a label value
  of at most 63 characters (kubernetes/kubernetes#64023; ControllerRevisionName in
  pkg/controller/history/controller_history.go appends the hash without truncating);
- CronJob: 52. The controller appends 11 characters to name each Job
  (kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#writing-a-cronjob-spec);
- anything else: a DNS-1123 subdomain, 253.
Usage: {{- $errors = concat $errors (include "ha-jobs.validate.names" (dict "names" $names) | splitList "\n" | compact) }}
*/}}
{{- define "ha-jobs.validate.names" -}}
{{- $limits := dict "StatefulSet" 52 "CronJob" 52 "Service" 63 "Deployment" 63 -}}
{{- range .names }}
{{- $max := get $limits .kind | default 253 | int }}
{{- if gt (len .name) $max }}
{{ printf "%s: the %s name %s is %d characters, longer than %d%s. Fix: shorten it, or set fullnameOverride (or nameOverride) to a shorter prefix." .key .kind .name (len .name) $max (ternary " (its pods' controller-revision-hash label is <name>-<10-character hash>, at most 63 characters; kubernetes/kubernetes#64023)" (ternary " (the CronJob controller appends 11 characters to each Job's name)" (ternary " (a Service name is a DNS label)" "" (ne $max 253)) (eq .kind "CronJob")) (eq .kind "StatefulSet")) }}
{{- end }}
{{- end }}
{{- end }}
