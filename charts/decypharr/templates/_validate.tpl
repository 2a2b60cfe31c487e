{{/*
Checks a JSON schema cannot express, collected and reported once.
Usage: {{- include "decypharr.validateValues" . }}
*/}}
{{- define "decypharr.validateValues" -}}
{{- $errors := list }}
{{- if and (not .Values.streaming.enabled) (not .Values.download.enabled) }}
{{- $errors = append $errors "streaming.enabled and download.enabled are both false: the release would be empty. Fix: enable at least one instance, or remove the HelmRelease." }}
{{- end }}
{{- /* Samba/SMB/CIFS is rejected by lint on the merged values and the rendered storage, not here
(docs/decisions.md "Chart conventions"): a template cannot tell a share from a name that merely
contains "smb", such as the NFS path /mnt/user/samba-old. */}}
{{- $fullname := include "decypharr.fullname" . }}
{{- $names := list }}
{{- range $component := list "streaming" "download" }}
{{- if (index $.Values $component).enabled }}
{{- $key := printf "%s (fullnameOverride, nameOverride or the release name)" $component }}
{{- $names = append $names (dict "kind" "StatefulSet" "name" (printf "%s-%s" $fullname $component) "key" $key) }}
{{- $names = append $names (dict "kind" "Service" "name" (printf "%s-%s-headless" $fullname $component) "key" $key) }}
{{- end }}
{{- end }}
{{- $errors = concat $errors (include "decypharr.validate.names" (dict "names" $names) | splitList "\n" | compact) }}
{{- if $errors }}
{{- fail (printf "\nVALUES VALIDATION:\n%s" (join "\n" $errors)) }}
{{- end }}
{{- end }}
