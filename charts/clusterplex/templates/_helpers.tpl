{{/*
ClusterPlex helpers specific to this chart (the shared ones are in _shared.tpl, generated).
*/}}

{{/*
ClusterPlex version of the docker mods and the orchestrator image: clusterplexVersion, else the
chart's appVersion. Never `latest`: PMS, orchestrator and workers must run the same release.
Usage: {{ include "clusterplex.version" . }}
*/}}
{{- define "clusterplex.version" -}}
{{- .Values.clusterplexVersion | default .Chart.AppVersion }}
{{- end }}

{{/*
Name of the DFS PersistentVolume and of its claim: `<fullname>-dfs-<server node id>`. The server
is part of the name because a PV's NFS source is immutable: a failover renders a new pair.
Usage: {{ include "clusterplex.dfs.name" . }}
*/}}
{{- define "clusterplex.dfs.name" -}}
{{- printf "%s-dfs-%s" (include "clusterplex.fullname" .) .Values.dfs.server | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Name of the /mnt/streaming-media claim: the existing one, or the one this chart creates.
Usage: {{ include "clusterplex.streamingMedia.claim" . }}
*/}}
{{- define "clusterplex.streamingMedia.claim" -}}
{{- .Values.streamingMedia.existingClaim | default (printf "%s-streaming-media" (include "clusterplex.fullname" .)) }}
{{- end }}

{{/*
ORCHESTRATOR_URL of PMS and the workers: the orchestrator's ClusterIP Service.
Usage: {{ include "clusterplex.orchestratorUrl" . }}
*/}}
{{- define "clusterplex.orchestratorUrl" -}}
{{- printf "http://%s-orchestrator:%d" (include "clusterplex.fullname" .) (.Values.orchestrator.port | default 3500 | int) }}
{{- end }}

{{/*
Environment of the linuxserver-style containers (PMS and workers): the shared PUID/PGID/UMASK/TZ
block, plus VERSION=docker, which keeps the Plex version of the image (no update at container start).
Usage: {{- include "clusterplex.linuxserverEnv" . | nindent 12 }}
*/}}
{{- define "clusterplex.linuxserverEnv" -}}
{{ include "clusterplex.linuxserver.env" .Values.ids }}
- name: VERSION
  value: docker
{{- end }}

{{/*
Volumes PMS and every worker share: the Unraid library (NFS, read-only), the streaming-media and
transcode claims (RWX) and, when a DFS server is chosen, the DFS claim (read-only).
Usage: {{- include "clusterplex.sharedVolumes" . | nindent 8 }}
*/}}
{{- define "clusterplex.sharedVolumes" -}}
- name: media
  nfs:
    server: {{ .Values.media.server }}
    path: {{ .Values.media.path }}
    readOnly: true
- name: streaming-media
  persistentVolumeClaim:
    claimName: {{ include "clusterplex.streamingMedia.claim" . }}
- name: transcode
  persistentVolumeClaim:
    claimName: {{ include "clusterplex.fullname" . }}-transcode
{{- if .Values.dfs.server }}
- name: dfs
  persistentVolumeClaim:
    claimName: {{ include "clusterplex.dfs.name" . }}
    readOnly: true
{{- end }}
{{- end }}

{{/*
Mounts of the shared volumes; the paths are the seed's and must be equal in PMS and the workers
(the transcoder runs on a worker with the paths PMS hands it).
Usage: {{- include "clusterplex.sharedMounts" . | nindent 12 }}
*/}}
{{- define "clusterplex.sharedMounts" -}}
- name: media
  mountPath: /mnt/media
  readOnly: true
- name: streaming-media
  mountPath: /mnt/streaming-media
{{- if .Values.dfs.server }}
- name: dfs
  mountPath: /mnt/dfs
  readOnly: true
{{- end }}
- name: transcode
  mountPath: /transcode
{{- end }}

{{/*
Extra environment variables from a name -> value map.
Usage: {{- include "clusterplex.extraEnv" .Values.pms.env | nindent 12 }}
*/}}
{{- define "clusterplex.extraEnv" -}}
{{- range $name, $value := . }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end }}
