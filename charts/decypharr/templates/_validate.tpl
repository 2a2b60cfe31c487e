{{/*
Checks a JSON schema cannot express, collected and reported once.
Usage: {{- include "decypharr.validateValues" . }}
*/}}
{{- define "decypharr.validateValues" -}}
{{- $errors := list }}
{{- if and (not .Values.streaming.enabled) (not .Values.download.enabled) }}
{{- $errors = append $errors "streaming.enabled and download.enabled are both false: the release would be empty. Fix: enable at least one instance, or remove the HelmRelease." }}
{{- end }}
{{- /* Anything Samba/SMB/CIFS, anywhere in the values (keys or values): the seed removed it. */}}
{{- $smb := "(?i)(smb|cifs|samba)" }}
{{- $flat := dict }}
{{- range $key, $val := .Values }}
{{- if kindIs "map" $val }}
{{- range $k2, $v2 := $val }}{{ $_ := set $flat (printf "%s.%s" $key $k2) $v2 }}{{ end }}
{{- else }}
{{- $_ := set $flat $key $val }}
{{- end }}
{{- end }}
{{- range $key, $val := $flat }}
{{- if regexMatch $smb (printf "%s=%s" $key (toJson $val)) }}
{{- $errors = append $errors (printf "%s mentions SMB/CIFS/Samba (%s). SMB/Samba was removed in commit e828583 (2026-02-28). Do not re-add it (seed, \"DFS Sharing\": the DFS reaches consumers by FUSE mount propagation, Bidirectional here and HostToContainer in the consumers). Fix: remove it." $key (toJson $val | trunc 120)) }}
{{- end }}
{{- end }}
{{- if $errors }}
{{- fail (printf "\nVALUES VALIDATION:\n%s" (join "\n" $errors)) }}
{{- end }}
{{- end }}
