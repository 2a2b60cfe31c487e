{{/*
Checks a JSON schema cannot express, collected and reported once.
Usage: {{- include "decypharr.validateValues" . }}
*/}}
{{- define "decypharr.validateValues" -}}
{{- $errors := list }}
{{- if and (not .Values.streaming.enabled) (not .Values.download.enabled) }}
{{- $errors = append $errors "streaming.enabled and download.enabled are both false: the release would be empty. Fix: enable at least one instance, or remove the HelmRelease." }}
{{- end }}
{{- if $errors }}
{{- fail (printf "\nVALUES VALIDATION:\n%s" (join "\n" $errors)) }}
{{- end }}
{{- end }}
