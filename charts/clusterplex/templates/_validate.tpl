{{/*
Checks a JSON schema cannot express, collected and reported once.
Usage: {{- include "clusterplex.validateValues" . }}
*/}}
{{- define "clusterplex.validateValues" -}}
{{- $errors := list }}
{{- $mode := .Values.pms.transcodeOperatingMode | default "both" }}
{{- if and (eq (toString .Values.workers.enabled) "false") (ne $mode "local") }}
{{- $errors = append $errors (printf "pms.transcodeOperatingMode is %q but workers.enabled is false: PMS would send every transcode to workers that do not exist. Fix: set pms.transcodeOperatingMode: local, or enable the workers." $mode) }}
{{- end }}
{{- if $errors }}
{{- fail (printf "\nVALUES VALIDATION:\n%s" (join "\n" $errors)) }}
{{- end }}
{{- end }}
