{{/*
Checks a JSON schema cannot express (or that must hold even with --skip-schema-validation),
collected and reported once.
Usage: {{- include "ha-jobs.validateValues" . }}
*/}}
{{- define "ha-jobs.validateValues" -}}
{{- $errors := list }}
{{- $d := .Values.descheduler }}
{{- $f := .Values.fencing }}
{{- if and (not $d.enabled) (not $f.enabled) }}
{{- $errors = append $errors "descheduler.enabled and fencing.enabled are both false: the release would be empty. Fix: enable at least one job, or remove the HelmRelease." }}
{{- end }}
{{- if and $d.enabled (not (kindIs "invalid" $d.nodeFit)) (ne (toString $d.nodeFit) "true") }}
{{- $errors = append $errors (printf "descheduler.nodeFit is %s. It must be true: with nodeFit false, cordoning w1 for maintenance makes the descheduler evict the pods on w2 every run (they prefer w1), and each lands on w2 again. Fix: set descheduler.nodeFit: true (or remove the key)." (toString $d.nodeFit)) }}
{{- end }}
{{- if and $d.enabled (not $d.namespaces) }}
{{- $errors = append $errors "descheduler.namespaces is empty: the descheduler would evict pods in every namespace. Fix: list the media namespaces, e.g. [media]." }}
{{- end }}
{{- if and $f.enabled (not $f.podNamespaces) }}
{{- $errors = append $errors "fencing.podNamespaces is empty: the fencing job could not see (or delete) the stale pods of a recovering node. Fix: list the namespaces of the pods on the storage nodes, e.g. [media]." }}
{{- end }}
{{- if and $f.enabled (not (regexMatch "^[^=]+=[^=]*$" (toString $f.storageLabel))) }}
{{- $errors = append $errors (printf "fencing.storageLabel (%s) must be key=value, e.g. node.longhorn.io/storage=enabled. Fix: set the label the storage nodes carry." (toString $f.storageLabel)) }}
{{- end }}
{{- $p := .Values.priorityClass | default dict }}
{{- if and (eq (toString $p.create) "false") (not $p.name) }}
{{- $errors = append $errors "priorityClass.create is false but priorityClass.name is not set: the jobs' pods would name no class. Fix: set priorityClass.name to an existing PriorityClass, or priorityClass.create: true." }}
{{- end }}
{{- $fullname := include "ha-jobs.fullname" . }}
{{- $names := list }}
{{- range $component := list "descheduler" "fencing" "report" }}
{{- if ((index $.Values $component) | default dict).enabled }}
{{- $names = append $names (dict "kind" "CronJob" "name" (printf "%s-%s" $fullname $component) "key" (printf "%s (fullnameOverride, nameOverride or the release name)" $component)) }}
{{- end }}
{{- end }}
{{- $errors = concat $errors (include "ha-jobs.validate.names" (dict "names" $names) | splitList "\n" | compact) }}
{{- if $errors }}
{{- fail (printf "\nVALUES VALIDATION:\n%s" (join "\n" $errors)) }}
{{- end }}
{{- end }}

{{/*
Name of the jobs' PriorityClass: priorityClass.name, else the release's full name.
Usage: {{ include "ha-jobs.priorityClassName" . }}
*/}}
{{- define "ha-jobs.priorityClassName" -}}
{{- (.Values.priorityClass | default dict).name | default (include "ha-jobs.fullname" .) }}
{{- end }}

{{/*
The fencing bundle (charts/ha-jobs/files/fencing.mjs), generated from tools/fencing/ by
`npm run gen-schema`. Fails with the fix when the file is missing or empty.
Usage: {{- $script := include "ha-jobs.fencingScript" . }}
*/}}
{{- define "ha-jobs.fencingScript" -}}
{{- $script := .Files.Get "files/fencing.mjs" }}
{{- if not $script }}
{{- fail "charts/ha-jobs/files/fencing.mjs is missing or empty: the fencing CronJob runs that file (the esbuild bundle of tools/fencing/main.ts). Fix: run `npm run gen-schema` (it generates the bundle), or set fencing.enabled: false." }}
{{- end }}
{{- $script }}
{{- end }}

{{/*
The report bundle (charts/ha-jobs/files/report.mjs), generated from tools/report/ by
`npm run gen-schema`. Fails with the fix when the file is missing or empty.
Usage: {{- include "ha-jobs.reportScript" . }}
*/}}
{{- define "ha-jobs.reportScript" -}}
{{- $script := .Files.Get "files/report.mjs" }}
{{- if not $script }}
{{- fail "charts/ha-jobs/files/report.mjs is missing or empty: the report CronJob runs that file (the esbuild bundle of tools/report/main.ts). Fix: run `npm run gen-schema`, or set report.enabled: false." }}
{{- end }}
{{- $script }}
{{- end }}

{{/*
Seconds between two runs of an every-N-minutes schedule (the step form on the minute field, other fields all stars), else 300: the report job's
window of what is new since the previous run.
Usage: {{ include "ha-jobs.cronPeriodSeconds" .schedule }}
*/}}
{{- define "ha-jobs.cronPeriodSeconds" -}}
{{- $m := regexFind "^\\*/[0-9]+ \\* \\* \\* \\*$" . }}
{{- if $m }}{{ mul 60 (trimPrefix "*/" (index (splitList " " $m) 0) | int) }}{{ else }}300{{ end }}
{{- end }}
