{{/*
Names. Every resource of a component is named `<fullname>-<component>`, cut to 63
characters: Service names are DNS labels, and the name is also a label value.
One helper takes the component as an argument (argo-cd has one helper per component;
here they would differ only in a string).
*/}}
{{- define "bowsprit.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "bowsprit.fullname" -}}
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

{{/* (dict "root" $ "name" "plank"): the name of a component's resources. */}}
{{- define "bowsprit.componentName" -}}
{{- printf "%s-%s" (include "bowsprit.fullname" .root) .name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "bowsprit.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* (dict "context" $ "component" "plank"): the labels of every object. */}}
{{- define "bowsprit.labels" -}}
helm.sh/chart: {{ include "bowsprit.chart" .context }}
{{ include "bowsprit.selectorLabels" . }}
app.kubernetes.io/version: {{ .context.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .context.Release.Service }}
app.kubernetes.io/part-of: bowsprit
{{- end }}

{{/* (dict "context" $ "component" "plank"): what a component's Service and PDB select. */}}
{{- define "bowsprit.selectorLabels" -}}
app.kubernetes.io/name: {{ include "bowsprit.name" .context }}
app.kubernetes.io/instance: {{ .context.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* (dict "root" $ "key" "plank"): the component's image, falling back to global.image. */}}
{{- define "bowsprit.image" -}}
{{- $values := index .root.Values .key }}
{{- $repository := default .root.Values.global.image.repository $values.image.repository }}
{{- $tag := default (default .root.Chart.AppVersion .root.Values.global.image.tag) $values.image.tag }}
{{- printf "%s:%s" $repository $tag }}
{{- end }}

{{/* The image of the pod utilities in the ProwConfig's decoration defaults. */}}
{{- define "bowsprit.utilityImage" -}}
{{- default (printf "%s:%s" .Values.global.image.repository (default .Chart.AppVersion .Values.global.image.tag)) .Values.config.decoration.utilityImage }}
{{- end }}

{{/* (dict "root" $ "key" "plank" "name" "plank"): the component's service account. */}}
{{- define "bowsprit.serviceAccountName" -}}
{{- $values := index .root.Values .key }}
{{- if $values.serviceAccount.create }}
{{- default (include "bowsprit.componentName" .) $values.serviceAccount.name }}
{{- else }}
{{- default "default" $values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Namespaces: ProwJobs (default: the release's), job pods (testPods.namespace). */}}
{{- define "bowsprit.prowjobNamespace" -}}
{{- default .Release.Namespace .Values.config.prowjobNamespace }}
{{- end }}

{{- define "bowsprit.podNamespace" -}}
{{- .Values.testPods.namespace }}
{{- end }}

{{/* Secrets: an existing one when named, else the one the chart creates (if any). */}}
{{- define "bowsprit.githubTokenSecret" -}}
{{- if .Values.github.token.existingSecret }}
{{- .Values.github.token.existingSecret }}
{{- else if .Values.github.token.value }}
{{- printf "%s-github-token" (include "bowsprit.fullname" .) }}
{{- end }}
{{- end }}

{{- define "bowsprit.githubAppSecret" -}}
{{- if .Values.github.app.existingSecret }}
{{- .Values.github.app.existingSecret }}
{{- else if .Values.github.app.privateKey }}
{{- printf "%s-github-app" (include "bowsprit.fullname" .) }}
{{- end }}
{{- end }}

{{- define "bowsprit.hmacSecret" -}}
{{- default (printf "%s-hmac" (include "bowsprit.fullname" .)) .Values.hmac.existingSecret }}
{{- end }}

{{- define "bowsprit.s3Secret" -}}
{{- if .Values.s3.existingSecret }}
{{- .Values.s3.existingSecret }}
{{- else if .Values.s3.credentials.access_key }}
{{- printf "%s-s3-credentials" (include "bowsprit.fullname" .) }}
{{- end }}
{{- end }}

{{- define "bowsprit.slackSecret" -}}
{{- if .Values.slack.existingSecret }}
{{- .Values.slack.existingSecret }}
{{- else if .Values.slack.webhookUrl }}
{{- printf "%s-slack" (include "bowsprit.fullname" .) }}
{{- end }}
{{- end }}

{{/* The GitHub API endpoint: as set, else ghproxy when it runs, else api.github.com. */}}
{{- define "bowsprit.githubEndpoint" -}}
{{- if .Values.github.endpoint }}
{{- .Values.github.endpoint }}
{{- else if .Values.ghproxy.enabled }}
{{- printf "http://%s.%s.svc:%v" (include "bowsprit.componentName" (dict "root" . "name" "ghproxy")) .Release.Namespace .Values.ghproxy.service.port }}
{{- else }}
{{- "https://api.github.com" }}
{{- end }}
{{- end }}

{{/*
GitHub access of a component as {"args", "volumes", "mounts"} in JSON (fromJson it):
the endpoint, then the App (id + private key) when github.app.id is set, else the token.
*/}}
{{- define "bowsprit.githubAccess" -}}
{{- $args := list (printf "--github-endpoint=%s" (include "bowsprit.githubEndpoint" .)) }}
{{- /* Through ghproxy, GitHub itself is the next endpoint, used when ghproxy fails. */}}
{{- if and .Values.ghproxy.enabled (not .Values.github.endpoint) }}
{{- $args = append $args (printf "--github-endpoint=%s" .Values.ghproxy.upstream) }}
{{- end }}
{{- $volumes := list }}
{{- $mounts := list }}
{{- $app := include "bowsprit.githubAppSecret" . }}
{{- $token := include "bowsprit.githubTokenSecret" . }}
{{- if and .Values.github.app.id $app }}
{{- $args = append $args (printf "--github-app-id=%v" .Values.github.app.id) }}
{{- $args = append $args (printf "--github-app-private-key-path=/etc/github-app/%s" .Values.github.app.key) }}
{{- $volumes = append $volumes (dict "name" "github-app" "secret" (dict "secretName" $app)) }}
{{- $mounts = append $mounts (dict "name" "github-app" "mountPath" "/etc/github-app" "readOnly" true) }}
{{- else if $token }}
{{- $args = append $args (printf "--github-token-path=/etc/github/%s" .Values.github.token.key) }}
{{- $volumes = append $volumes (dict "name" "github-token" "secret" (dict "secretName" $token)) }}
{{- $mounts = append $mounts (dict "name" "github-token" "mountPath" "/etc/github" "readOnly" true) }}
{{- end }}
{{- dict "args" $args "volumes" $volumes "mounts" $mounts | toJson }}
{{- end }}

{{/* The flags every kopf operator shares (clients/operator.py). */}}
{{- define "bowsprit.operatorArgs" -}}
{{- $values := index .root.Values .key }}
{{- list
  (printf "--config-namespace=%s" .root.Release.Namespace)
  (printf "--config-name=%s" .root.Values.config.name)
  (printf "--metrics-port=%v" $values.metricsPort)
  (printf "--health-port=%v" $values.healthPort)
  (printf "--log-format=%s" .root.Values.global.logFormat)
  "--standalone"
  | toJson }}
{{- end }}

{{/*
Build clusters (values buildClusters: alias -> Secret holding a kubeconfig under key
`kubeconfig` whose context is named after the alias, as charts/bowsprit-build-cluster
prints it): plank's and sinker's flags, and one projected volume with a file per alias.
A projected volume (not subPath) so the kubelet rewrites the files when a Secret
changes, and the components reload them without a restart. JSON {args, volumes, mounts}.
*/}}
{{- define "bowsprit.buildClusters" -}}
{{- $args := list }}
{{- $volumes := list }}
{{- $mounts := list }}
{{- with .Values.buildClusters }}
{{- $sources := list }}
{{- range $alias, $secret := . }}
{{- $sources = append $sources (dict "secret" (dict "name" $secret "items" (list (dict "key" "kubeconfig" "path" (printf "%s.yaml" $alias))))) }}
{{- end }}
{{- $args = list "--kubeconfig-dir=/etc/build-clusters" "--kubeconfig-suffix=.yaml" }}
{{- $volumes = list (dict "name" "build-clusters" "projected" (dict "sources" $sources)) }}
{{- $mounts = list (dict "name" "build-clusters" "mountPath" "/etc/build-clusters" "readOnly" true) }}
{{- end }}
{{- dict "args" $args "volumes" $volumes "mounts" $mounts | toJson }}
{{- end }}

{{- /* The Secret of the token hook shows tide's POST /poke (tide.pokeToken.existingSecret
or the chart's own); "" when pokes are off. */}}
{{- define "bowsprit.tidePokeSecret" -}}
{{- if and .Values.tide.enabled .Values.hook.enabled .Values.tide.pokePort }}
{{- default (printf "%s-tide-poke" (include "bowsprit.fullname" .)) .Values.tide.pokeToken.existingSecret }}
{{- end }}
{{- end }}
