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
{{- $fullname := include "clusterplex.fullname" . }}
{{- $key := "fullnameOverride, nameOverride or the release name" }}
{{- $names := list (dict "kind" "Deployment" "name" (printf "%s-pms" $fullname) "key" $key) (dict "kind" "Service" "name" (printf "%s-orchestrator" $fullname) "key" $key) }}
{{- if ne (toString .Values.workers.enabled) "false" }}
{{- $names = append $names (dict "kind" "StatefulSet" "name" (printf "%s-worker" $fullname) "key" $key) }}
{{- end }}
{{- $errors = concat $errors (include "clusterplex.validate.names" (dict "names" $names) | splitList "\n" | compact) }}
{{- if $errors }}
{{- fail (printf "\nVALUES VALIDATION:\n%s" (join "\n" $errors)) }}
{{- end }}
{{- end }}
