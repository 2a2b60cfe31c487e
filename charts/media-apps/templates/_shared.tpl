{{- /*
GENERATED from tools/templates/shared.tpl by `npm run gen-schema`: edit that file, not this one.
Helpers every chart of this suite shares, prefixed with the chart's name. The seed's storage
placement is defined here and nowhere else.
*/ -}}

{{/*
Chart name, truncated to 63 characters (DNS label limit).
Usage: {{ include "media-apps.name" . }}
*/}}
{{- define "media-apps.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name: the release name, or release-chart when the release name does not
contain the chart name. Truncated to 63 characters.
Usage: {{ include "media-apps.fullname" . }}
*/}}
{{- define "media-apps.fullname" -}}
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
Usage: {{ include "media-apps.chart" . }}
*/}}
{{- define "media-apps.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Selector labels: stable across upgrades, so never the version or user labels.
Usage: {{ include "media-apps.selectorLabels" (dict "ctx" $ "component" "streaming") }}
*/}}
{{- define "media-apps.selectorLabels" -}}
app.kubernetes.io/name: {{ include "media-apps.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
{{- with .component }}
app.kubernetes.io/component: {{ . }}
{{- end }}
{{- end }}

{{/*
Standard labels: the selector labels plus chart, version, manager and part-of.
Usage: {{ include "media-apps.labels" (dict "ctx" $ "component" "streaming") }}
*/}}
{{- define "media-apps.labels" -}}
helm.sh/chart: {{ include "media-apps.chart" .ctx }}
{{ include "media-apps.selectorLabels" . }}
{{- with .ctx.Chart.AppVersion }}
app.kubernetes.io/version: {{ . | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/part-of: homelab-media
{{- end }}

{{/*
Image reference: repository:tag, with @digest when one is pinned.
Usage: {{ include "media-apps.image" .Values.image }}
*/}}
{{- define "media-apps.image" -}}
{{- .repository }}:{{ .tag }}{{ with .digest }}@{{ . }}{{ end }}
{{- end }}

{{/*
The seed's active-passive placement for stateful pods (ARCHITECTURE-DECISIONS.md, "HA Strategy"):
must run on a Longhorn storage node, prefers the primary (w1), tolerates the storage taint, and
leaves an unreachable or not-ready node after tolerationSeconds (default 30: failover in ~60 s).
Renders `affinity` and `tolerations` keys of a pod spec.
Usage: {{- include "media-apps.placement.storage" (dict "placement" .Values.placement) | nindent 6 }}
*/}}
{{- define "media-apps.placement.storage" -}}
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
