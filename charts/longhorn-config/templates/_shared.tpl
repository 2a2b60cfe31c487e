{{- /*
GENERATED from tools/templates/shared.tpl by `npm run gen-schema`: edit that file, not this one.
Helpers every chart of this suite shares, prefixed with the chart's name. The seed's storage
placement, the linuxserver environment and security context, the Traefik Ingress and the name-length
rules are defined here and nowhere else. A chart gets only the helpers its templates include
(directly or through another helper): tools/gen/shared.ts computes the set.
*/ -}}

{{/*
Chart name, truncated to 63 characters (DNS label limit).
Usage: {{ include "longhorn-config.name" . }}
*/}}
{{- define "longhorn-config.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name: the release name, or release-chart when the release name does not
contain the chart name. Truncated to 63 characters.
Usage: {{ include "longhorn-config.fullname" . }}
*/}}
{{- define "longhorn-config.fullname" -}}
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
Usage: {{ include "longhorn-config.chart" . }}
*/}}
{{- define "longhorn-config.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Selector labels: stable across upgrades, so never the version or user labels.
Usage: {{ include "longhorn-config.selectorLabels" (dict "ctx" $ "component" "streaming") }}
*/}}
{{- define "longhorn-config.selectorLabels" -}}
app.kubernetes.io/name: {{ include "longhorn-config.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
{{- with .component }}
app.kubernetes.io/component: {{ . }}
{{- end }}
{{- end }}

{{/*
Standard labels: the selector labels plus chart, version, manager and part-of.
app.kubernetes.io/version is the component's own version (its image tag) when `version` is given,
else the chart's appVersion; cut to a valid label value (63 characters, alphanumeric at both ends).
Usage: {{ include "longhorn-config.labels" (dict "ctx" $ "component" "streaming" "version" $v.image.tag) }}
*/}}
{{- define "longhorn-config.labels" -}}
helm.sh/chart: {{ include "longhorn-config.chart" .ctx }}
{{ include "longhorn-config.selectorLabels" . }}
{{- with (.version | default .ctx.Chart.AppVersion) }}
app.kubernetes.io/version: {{ regexReplaceAll "^[^A-Za-z0-9]+|[^A-Za-z0-9]+$" (toString . | trunc 63) "" | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/part-of: homelab-media
{{- end }}
