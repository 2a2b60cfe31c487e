{{- /*
GENERATED from tools/templates/shared.tpl by `npm run gen-schema`: edit that file, not this one.
Helpers every chart of this suite shares, prefixed with the chart's name. The seed's storage
placement, the linuxserver environment and security context, the Traefik Ingress and the name-length
rules are defined here and nowhere else. A chart gets only the helpers its templates include
(directly or through another helper): tools/gen/shared.ts computes the set.
*/ -}}

{{/*
Chart name, truncated to 63 characters (DNS label limit).
Usage: {{ include "decypharr.name" . }}
*/}}
{{- define "decypharr.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name: the release name, or release-chart when the release name does not
contain the chart name. Truncated to 63 characters.
Usage: {{ include "decypharr.fullname" . }}
*/}}
{{- define "decypharr.fullname" -}}
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
Usage: {{ include "decypharr.chart" . }}
*/}}
{{- define "decypharr.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Selector labels: stable across upgrades, so never the version or user labels.
Usage: {{ include "decypharr.selectorLabels" (dict "ctx" $ "component" "streaming") }}
*/}}
{{- define "decypharr.selectorLabels" -}}
app.kubernetes.io/name: {{ include "decypharr.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
{{- with .component }}
app.kubernetes.io/component: {{ . }}
{{- end }}
{{- end }}

{{/*
Standard labels: the selector labels plus chart, version, manager and part-of.
app.kubernetes.io/version is the component's own version (its image tag) when `version` is given,
else the chart's appVersion; cut to a valid label value (63 characters, alphanumeric at both ends).
Usage: {{ include "decypharr.labels" (dict "ctx" $ "component" "streaming" "version" $v.image.tag) }}
*/}}
{{- define "decypharr.labels" -}}
helm.sh/chart: {{ include "decypharr.chart" .ctx }}
{{ include "decypharr.selectorLabels" . }}
{{- with (.version | default .ctx.Chart.AppVersion) }}
app.kubernetes.io/version: {{ regexReplaceAll "^[^A-Za-z0-9]+|[^A-Za-z0-9]+$" (toString . | trunc 63) "" | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/part-of: homelab-media
{{- end }}

{{/*
Image reference: repository:tag, with @digest when one is pinned.
Usage: {{ include "decypharr.image" .Values.image }}
*/}}
{{- define "decypharr.image" -}}
{{- .repository }}:{{ .tag }}{{ with .digest }}@{{ . }}{{ end }}
{{- end }}

{{/*
The seed's active-passive placement for stateful pods (ARCHITECTURE-DECISIONS.md, "HA Strategy"):
must run on a Longhorn storage node, prefers the primary (w1), tolerates the storage taint, and
leaves an unreachable or not-ready node after tolerationSeconds (default 30: failover in ~60 s).
Renders `affinity` and `tolerations` keys of a pod spec.
Usage: {{- include "decypharr.placement.storage" (dict "placement" .Values.placement) | nindent 6 }}
*/}}
{{- define "decypharr.placement.storage" -}}
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
Environment of a linuxserver-style image (s6-overlay starts as root and drops to PUID/PGID).
`dig`, not `default`: default would turn an explicit 0 (root) into the fallback; int64 keeps a
large id such as 1000000 from printing as 1e+06.
Usage: {{- include "decypharr.linuxserver.env" .Values.ids | nindent 12 }}
*/}}
{{- define "decypharr.linuxserver.env" -}}
{{- $ids := . | default dict -}}
- name: PUID
  value: {{ dig "PUID" 1000 $ids | int64 | toString | quote }}
- name: PGID
  value: {{ dig "PGID" 1000 $ids | int64 | toString | quote }}
- name: UMASK
  value: {{ dig "UMASK" "002" $ids | toString | quote }}
- name: TZ
  value: {{ dig "TZ" "Etc/UTC" $ids | toString | quote }}
{{- end }}

{{/*
Container security context of a linuxserver-style image. It starts as root: s6-overlay chowns the
config directory and drops to PUID/PGID with setuid()/setgroups() (not an exec of a setuid binary,
so no_new_privs, allowPrivilegeEscalation: false, does not break it); runAsNonRoot cannot be set.
Kept capabilities: CHOWN, DAC_OVERRIDE, FOWNER (init chowns the config), SETUID, SETGID (the
privilege drop), KILL (root's s6-supervise signals the app running as PUID on shutdown; kill(2)
across uids needs it, capabilities(7)).
Usage: {{- include "decypharr.linuxserver.securityContext" . | nindent 12 }}
*/}}
{{- define "decypharr.linuxserver.securityContext" -}}
privileged: false
allowPrivilegeEscalation: false
capabilities:
  drop: ["ALL"]
  add: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETUID", "SETGID", "KILL"]
{{- end }}

{{/*
Pod security context every pod of the suite carries: the container runtime's default seccomp
profile. A privileged container always runs Unconfined (kubernetes.io/docs/tutorials/security/seccomp:
"It is not possible to apply a seccomp profile to a container running with privileged: true"); in a
pod with one, the profile still applies to every unprivileged container.
Usage: {{- include "decypharr.podSecurityContext" . | nindent 6 }}
*/}}
{{- define "decypharr.podSecurityContext" -}}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/*
A Traefik Ingress for one component, routing / to port `http` of the Service named `name`.
Routers bind only the `https` entrypoint and terminate TLS (router.tls); Traefik's `http`
entrypoint redirects every request to https (clusters/<env>/infrastructure/traefik.yaml,
docs/decisions.md "Chart conventions"). `ingress` is the values block (schema/common.ts Ingress).
Usage: {{- include "decypharr.ingress" (dict "ctx" $ "name" $name "component" $c "version" $tag "ingress" $v.ingress) }}
*/}}
{{- define "decypharr.ingress" -}}
{{- $ing := .ingress -}}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ .name }}
  labels:
    {{- include "decypharr.labels" (dict "ctx" .ctx "component" .component "version" .version) | nindent 4 }}
  annotations:
    # This cluster's Traefik names its entrypoints http/https; web,websecure does not work (seed).
    traefik.ingress.kubernetes.io/router.entrypoints: {{ $ing.entrypoints | default (list "https") | join "," }}
    traefik.ingress.kubernetes.io/router.tls: "true"
spec:
  ingressClassName: {{ $ing.className | default "traefik" }}
  {{- with $ing.tlsSecretName }}
  tls:
    - hosts: [{{ $ing.host | quote }}]
      secretName: {{ . }}
  {{- end }}
  rules:
    - host: {{ $ing.host | quote }}
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: {{ .name }}
                port:
                  name: http
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
Usage: {{- $errors = concat $errors (include "decypharr.validate.names" (dict "names" $names) | splitList "\n" | compact) }}
*/}}
{{- define "decypharr.validate.names" -}}
{{- $limits := dict "StatefulSet" 52 "CronJob" 52 "Service" 63 "Deployment" 63 -}}
{{- range .names }}
{{- $max := get $limits .kind | default 253 | int }}
{{- if gt (len .name) $max }}
{{ printf "%s: the %s name %s is %d characters, longer than %d%s. Fix: shorten it, or set fullnameOverride (or nameOverride) to a shorter prefix." .key .kind .name (len .name) $max (ternary " (its pods' controller-revision-hash label is <name>-<10-character hash>, at most 63 characters; kubernetes/kubernetes#64023)" (ternary " (the CronJob controller appends 11 characters to each Job's name)" (ternary " (a Service name is a DNS label)" "" (ne $max 253)) (eq .kind "CronJob")) (eq .kind "StatefulSet")) }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Labels that put a Longhorn PVC into a recurring-job group of charts/longhorn-config (backups):
`recurring-job.longhorn.io/source: enabled` makes longhorn-manager copy the PVC's job labels to
the volume (controller/volume_controller.go syncPVCRecurringJobLabels), then
`recurring-job-group.longhorn.io/<group>: enabled`. A scratch volume joins the group `scratch`,
which has no job: it is neither snapshotted nor backed up (a volume without any job label would
be in group `default`). `backup` is {group: NAME} or {scratch: REASON}.
Usage: {{- include "decypharr.longhornJobLabels" $backup | nindent 4 }}
*/}}
{{- define "decypharr.longhornJobLabels" -}}
recurring-job.longhorn.io/source: enabled
recurring-job-group.longhorn.io/{{ if .scratch }}scratch{{ else }}{{ .group | required "backup.group or backup.scratch is required" }}{{ end }}: enabled
{{- end }}

{{/*
The reason a scratch volume is not backed up, for lint and for the operator (`kubectl describe pvc`).
Usage: {{- include "decypharr.longhornJobAnnotations" $backup | nindent 4 }}
*/}}
{{- define "decypharr.longhornJobAnnotations" -}}
{{- with .scratch }}
homelab-media/backup-scratch: {{ . | quote }}
{{- end }}
{{- end }}
