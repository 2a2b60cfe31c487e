{{/*
Chart-local helpers. The shared ones (names, labels, image, the seed's placement) are in the
generated _shared.tpl.
*/}}

{{/*
Whether an app is enabled ("true"/"false"); `enabled` defaults to true, and an explicit false
stays false (`default true` would turn it into true).
Usage: {{ if eq (include "media-apps.enabled" $app) "true" }}
*/}}
{{- define "media-apps.enabled" -}}
{{- ne (toString .enabled) "false" }}
{{- end }}
