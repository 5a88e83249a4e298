/**
 * Container metadata from the engines' APIs (docker, podman, CRI) and the
 * container events of captures. Identity (cgroup → id) lives in
 * src/state/containers.ts.
 */
export { ContainerMetadataManager, describeContainer, requestMissingMetadata, type ContainerMetadataOptions } from './manager.js';
export { toContainerJson, encodeContainerEvent } from './container-json.js';
export { podOf, podLabels, type PodRef } from './k8s.js';
export { DockerApiClient, parseInspect, splitImage } from './docker-api.js';
export { CriClient, criRuntimeType } from './cri-api.js';
export { SocketError, unixGet } from './unix-http.js';
