{{/*
Names, labels and the values every template derives from the same inputs. Keep derived values here so that
the FlinkDeployment, the glimpse.yaml ConfigMap and the PodMonitor can never disagree.
*/}}

{{/* Chart name, overridable with nameOverride. */}}
{{- define "glimpse.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified name: fullnameOverride, else "<release>-<chart>" (just "<release>" when it already contains
the chart name). It is also the Flink cluster id, so it must stay a DNS-1035 label of at most 45 characters:
Flink derives "<cluster-id>-rest", "<cluster-id>-taskmanager-1-1" and config map names from it.
*/}}
{{- define "glimpse.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 45 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 45 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 45 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* "glimpse-0.1.0", for the helm.sh/chart label. */}}
{{- define "glimpse.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels that select this release's pods (PodMonitor); never change them after a release exists. */}}
{{- define "glimpse.selectorLabels" -}}
app.kubernetes.io/name: {{ include "glimpse.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels on every resource. */}}
{{- define "glimpse.labels" -}}
helm.sh/chart: {{ include "glimpse.chart" . }}
{{ include "glimpse.selectorLabels" . }}
app.kubernetes.io/version: {{ include "glimpse.imageTag" . | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: glimpse
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Image tag: image.tag, else the chart's appVersion. A floating "latest" is refused. */}}
{{- define "glimpse.imageTag" -}}
{{- $tag := toString (default .Chart.AppVersion .Values.image.tag) }}
{{- if eq $tag "latest" }}
{{- fail "image.tag must not be \"latest\": pin a version (it defaults to the chart appVersion)" }}
{{- end }}
{{- $tag }}
{{- end }}

{{/* The job image reference. */}}
{{- define "glimpse.image" -}}
{{- printf "%s:%s" .Values.image.repository (include "glimpse.imageTag" .) }}
{{- end }}

{{/* The image the model init container copies from: model.image.repository, else the job image. */}}
{{- define "glimpse.modelImage" -}}
{{- if .Values.model.image.repository }}
{{- $tag := toString (default (include "glimpse.imageTag" .) .Values.model.image.tag) }}
{{- if eq $tag "latest" }}
{{- fail "model.image.tag must not be \"latest\": pin a version" }}
{{- end }}
{{- printf "%s:%s" .Values.model.image.repository $tag }}
{{- else }}
{{- include "glimpse.image" . }}
{{- end }}
{{- end }}

{{/* Service account the JobManager and TaskManagers run as. */}}
{{- define "glimpse.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "glimpse.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false (the Flink Kubernetes Operator's job service account is usually \"flink\")" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Where glimpse.yaml is mounted, and its full path (the job's --config). */}}
{{- define "glimpse.configDir" -}}/opt/glimpse/conf{{- end }}
{{- define "glimpse.configPath" -}}{{ include "glimpse.configDir" . }}/glimpse.yaml{{- end }}

{{/* The directory the job reads the model from (--model-dir and model.dir in glimpse.yaml). */}}
{{- define "glimpse.modelDir" -}}
{{- if eq .Values.model.source "bundled" }}
{{- .Values.model.bundledPath }}
{{- else }}
{{- .Values.model.mountPath }}
{{- end }}
{{- end }}

{{/* Mount points of the Kafka secrets. */}}
{{- define "glimpse.saslSecretDir" -}}/opt/glimpse/secrets/kafka-sasl{{- end }}
{{- define "glimpse.truststoreSecretDir" -}}/opt/glimpse/secrets/kafka-truststore{{- end }}

{{/* "true" when security.protocol uses SASL (SASL_PLAINTEXT, SASL_SSL). */}}
{{- define "glimpse.kafkaSasl" -}}
{{- if hasPrefix "SASL_" .Values.kafka.securityProtocol }}true{{ end }}
{{- end }}

{{/* "true" when security.protocol uses TLS (SSL, SASL_SSL). */}}
{{- define "glimpse.kafkaTls" -}}
{{- if has .Values.kafka.securityProtocol (list "SSL" "SASL_SSL") }}true{{ end }}
{{- end }}

{{/* "true" when a Kafka property reads a mounted secret through Kafka's DirectoryConfigProvider. */}}
{{- define "glimpse.kafkaSecretFiles" -}}
{{- if or (include "glimpse.kafkaSasl" .) (and (include "glimpse.kafkaTls" .) .Values.kafka.tls.truststoreSecret.name .Values.kafka.tls.truststoreSecret.passwordKey) }}true{{ end }}
{{- end }}

{{/* Checks that span several values (types and enums are in values.schema.json). */}}
{{- define "glimpse.validate" -}}
{{- $bootstrap := required "kafka.bootstrapServers is required: the comma-separated host:port list of the Kafka brokers" .Values.kafka.bootstrapServers }}
{{- if include "glimpse.kafkaSasl" . }}
{{- if not .Values.kafka.sasl.mechanism }}
{{- fail (printf "kafka.sasl.mechanism is required when kafka.securityProtocol is %s (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER)" .Values.kafka.securityProtocol) }}
{{- end }}
{{- if not .Values.kafka.sasl.jaasSecret.name }}
{{- fail (printf "kafka.sasl.jaasSecret.name is required when kafka.securityProtocol is %s: the Secret whose key %q holds the sasl.jaas.config line" .Values.kafka.securityProtocol .Values.kafka.sasl.jaasSecret.key) }}
{{- end }}
{{- end }}
{{- if and (eq .Values.model.source "pvc") (not .Values.model.pvc.claimName) }}
{{- fail "model.pvc.claimName is required when model.source is \"pvc\"" }}
{{- end }}
{{- if and .Values.kafka.strimzi.createTopics (not .Values.kafka.strimzi.clusterName) }}
{{- fail "kafka.strimzi.clusterName is required when kafka.strimzi.createTopics is true (the strimzi.io/cluster label of the KafkaTopics)" }}
{{- end }}
{{- if and (eq .Values.job.upgradeMode "last-state") (not .Values.flink.highAvailability.enabled) }}
{{- fail "job.upgradeMode \"last-state\" needs flink.highAvailability.enabled: the operator restores from the HA metadata" }}
{{- end }}
{{- if and (gt (int .Values.jobManager.replicas) 1) (not .Values.flink.highAvailability.enabled) }}
{{- fail "jobManager.replicas above 1 needs flink.highAvailability.enabled (standby JobManagers elect a leader through Kubernetes HA)" }}
{{- end }}
{{- if and (ne .Values.job.upgradeMode "stateless") (not .Values.state.savepointDir) }}
{{- fail (printf "state.savepointDir is required when job.upgradeMode is %q" .Values.job.upgradeMode) }}
{{- end }}
{{- end }}

{{/* Kafka client properties (security and extras) passed to every Kafka client of the job via glimpse.yaml. */}}
{{- define "glimpse.kafkaProperties" -}}
{{- $p := dict "security.protocol" .Values.kafka.securityProtocol }}
{{- if include "glimpse.kafkaSecretFiles" . }}
{{- $_ := set $p "config.providers" "glimpsesecrets" }}
{{- $_ := set $p "config.providers.glimpsesecrets.class" "org.apache.kafka.common.config.provider.DirectoryConfigProvider" }}
{{- end }}
{{- if include "glimpse.kafkaSasl" . }}
{{- $_ := set $p "sasl.mechanism" .Values.kafka.sasl.mechanism }}
{{- $_ := set $p "sasl.jaas.config" (printf "${glimpsesecrets:%s:%s}" (include "glimpse.saslSecretDir" .) .Values.kafka.sasl.jaasSecret.key) }}
{{- end }}
{{- if and (include "glimpse.kafkaTls" .) .Values.kafka.tls.truststoreSecret.name }}
{{- $_ := set $p "ssl.truststore.location" (printf "%s/%s" (include "glimpse.truststoreSecretDir" .) .Values.kafka.tls.truststoreSecret.key) }}
{{- $_ := set $p "ssl.truststore.type" .Values.kafka.tls.truststoreType }}
{{- if .Values.kafka.tls.truststoreSecret.passwordKey }}
{{- $_ := set $p "ssl.truststore.password" (printf "${glimpsesecrets:%s:%s}" (include "glimpse.truststoreSecretDir" .) .Values.kafka.tls.truststoreSecret.passwordKey) }}
{{- end }}
{{- end }}
{{- toYaml (merge (deepCopy .Values.kafka.properties) $p) }}
{{- end }}

{{/* env.java.opts.all: Avro's trusted packages, the Kafka config provider allow-list, ORT's native path, extras. */}}
{{- define "glimpse.javaOpts" -}}
{{- $opts := list (printf "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=%s" .Values.flink.avroTrustedPackages) }}
{{- if include "glimpse.kafkaSecretFiles" . }}
{{- $opts = append $opts "-Dorg.apache.kafka.automatic.config.providers=org.apache.kafka.common.config.provider.DirectoryConfigProvider" }}
{{- end }}
{{- if .Values.onnxRuntime.nativePath }}
{{- $opts = append $opts (printf "-Donnxruntime.native.path=%s" .Values.onnxRuntime.nativePath) }}
{{- end }}
{{- $opts = append $opts "-Dai.djl.offline=true" }}
{{- with .Values.flink.javaOpts }}
{{- $opts = append $opts . }}
{{- end }}
{{- join " " $opts }}
{{- end }}

{{/*
Kafka consumer group and transactional-id prefix. Unique per release by default ("<namespace>.<fullname>"):
two releases on one Kafka cluster must neither share offsets nor fence each other's transactions.
*/}}
{{- define "glimpse.kafkaGroupId" -}}
{{- default (printf "%s.%s" .Release.Namespace (include "glimpse.fullname" .)) .Values.kafka.groupId }}
{{- end }}
{{- define "glimpse.kafkaTransactionalIdPrefix" -}}
{{- default (printf "%s.%s" .Release.Namespace (include "glimpse.fullname" .)) .Values.kafka.transactionalIdPrefix }}
{{- end }}

{{/*
KafkaTopic apiVersion: kafka.strimzi.apiVersion when set; else kafka.strimzi.io/v1 (the only version Strimzi 1.0
and later serve), or v1beta2 when the cluster serves v1beta2 but not v1 (Strimzi before 0.49).
*/}}
{{- define "glimpse.kafkaTopicApiVersion" -}}
{{- if .Values.kafka.strimzi.apiVersion }}
{{- printf "kafka.strimzi.io/%s" .Values.kafka.strimzi.apiVersion }}
{{- else if and (not (.Capabilities.APIVersions.Has "kafka.strimzi.io/v1/KafkaTopic")) (.Capabilities.APIVersions.Has "kafka.strimzi.io/v1beta2/KafkaTopic") }}
{{- print "kafka.strimzi.io/v1beta2" }}
{{- else }}
{{- print "kafka.strimzi.io/v1" }}
{{- end }}
{{- end }}

{{/* Pod-level securityContext of every pod template (Pod Security Standard "restricted"). */}}
{{- define "glimpse.podSecurityContext" -}}
{{- toYaml .Values.podSecurityContext }}
{{- end }}

{{/* Container-level securityContext of every container, the model init container included. */}}
{{- define "glimpse.containerSecurityContext" -}}
{{- toYaml .Values.securityContext }}
{{- end }}

{{/* The model volume and its copy exist on TaskManagers only: the JobManager never reads the model. */}}
{{- define "glimpse.modelVolume" -}}
{{- if eq .Values.model.source "image" }}
- name: model
  emptyDir:
    sizeLimit: {{ .Values.model.image.sizeLimit }}
{{- else if eq .Values.model.source "pvc" }}
- name: model
  persistentVolumeClaim:
    claimName: {{ .Values.model.pvc.claimName }}
    readOnly: true
{{- end }}
{{- end }}

{{/* Volumes both roles mount: the glimpse.yaml ConfigMap and the Kafka secrets. */}}
{{- define "glimpse.commonVolumes" -}}
- name: glimpse-config
  configMap:
    name: {{ include "glimpse.fullname" . }}-config
{{- if include "glimpse.kafkaSasl" . }}
- name: kafka-sasl
  secret:
    secretName: {{ .Values.kafka.sasl.jaasSecret.name }}
{{- end }}
{{- if and (include "glimpse.kafkaTls" .) .Values.kafka.tls.truststoreSecret.name }}
- name: kafka-truststore
  secret:
    secretName: {{ .Values.kafka.tls.truststoreSecret.name }}
{{- end }}
{{- end }}

{{/* Mounts of those volumes in flink-main-container. */}}
{{- define "glimpse.commonVolumeMounts" -}}
- name: glimpse-config
  mountPath: {{ include "glimpse.configDir" . }}
  readOnly: true
{{- if include "glimpse.kafkaSasl" . }}
- name: kafka-sasl
  mountPath: {{ include "glimpse.saslSecretDir" . }}
  readOnly: true
{{- end }}
{{- if and (include "glimpse.kafkaTls" .) .Values.kafka.tls.truststoreSecret.name }}
- name: kafka-truststore
  mountPath: {{ include "glimpse.truststoreSecretDir" . }}
  readOnly: true
{{- end }}
{{- end }}

{{/* job.autoscaler.* entries of flinkConfiguration (Flink Kubernetes Operator autoscaler), when enabled. */}}
{{- define "glimpse.autoscalerConfiguration" -}}
{{- $a := .Values.autoscaler }}
{{- $c := dict }}
{{- if $a.enabled }}
{{- $_ := set $c "job.autoscaler.enabled" "true" }}
{{- $_ := set $c "job.autoscaler.scaling.enabled" (toString $a.scalingEnabled) }}
{{- $_ := set $c "job.autoscaler.stabilization.interval" (toString $a.stabilizationInterval) }}
{{- $_ := set $c "job.autoscaler.metrics.window" (toString $a.metricsWindow) }}
{{- $_ := set $c "job.autoscaler.target.utilization" (toString $a.targetUtilization) }}
{{- $_ := set $c "job.autoscaler.target.utilization.boundary" (toString $a.targetUtilizationBoundary) }}
{{- $_ := set $c "job.autoscaler.vertex.min-parallelism" (toString $a.minParallelism) }}
{{- $_ := set $c "job.autoscaler.vertex.max-parallelism" (toString $a.maxParallelism) }}
{{- range $k, $v := $a.configuration }}
{{- $_ := set $c (printf "job.autoscaler.%s" (trimPrefix "job.autoscaler." $k)) (toString $v) }}
{{- end }}
{{- end }}
{{- toYaml $c }}
{{- end }}
