{{/*
Chart-local helpers. The shared ones (names, labels, image, the seed's placement) are in the
generated _shared.tpl.
*/}}

{{/*
Resource name of one app: <fullname>-<app>.
Usage: {{ include "media-apps.appFullname" (dict "ctx" $ "name" $name) }}
*/}}
{{- define "media-apps.appFullname" -}}
{{- printf "%s-%s" (include "media-apps.fullname" .ctx) .name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Whether an app is enabled ("true"/"false"); `enabled` defaults to true, and an explicit false
stays false (`default true` would turn it into true).
Usage: {{ if eq (include "media-apps.enabled" $app) "true" }}
*/}}
{{- define "media-apps.enabled" -}}
{{- ne (toString .enabled) "false" }}
{{- end }}

{{/*
The pattern lint and _validate.tpl use to reject anything Samba/SMB/CIFS.
Usage: {{ regexMatch (include "media-apps.smbPattern" .) $text }}
*/}}
{{- define "media-apps.smbPattern" -}}
(?i)(smb|cifs|samba)
{{- end }}
