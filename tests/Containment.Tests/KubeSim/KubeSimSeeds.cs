namespace Containment.Tests.KubeSim;

/// <summary>Seed lists shared by the KubeSim, isolation and cluster tests.</summary>
internal static class KubeSimSeeds
{
    public const string Shop = """
        apiVersion: v1
        kind: List
        items:
        - apiVersion: v1
          kind: Node
          metadata:
            name: aks-nodepool1-0
        - apiVersion: apps/v1
          kind: ReplicaSet
          metadata:
            name: web-7d9f
            namespace: shop
            labels: {app: web}
          spec:
            replicas: 1
            selector:
              matchLabels: {app: web, tier: front}
            template:
              metadata:
                labels: {app: web, tier: front}
              spec:
                containers:
                - name: web
                  image: nginx:1.27
        - apiVersion: v1
          kind: Pod
          metadata:
            name: web-7d9f-abcde
            namespace: shop
            creationTimestamp: "2026-11-02T09:14:05Z"
            labels: {app: web, tier: front, "pod-template-hash": "7d9f"}
            annotations: {"kubernetes.io/psp": "restricted", "note": "keep me"}
            ownerReferences:
            - apiVersion: apps/v1
              kind: ReplicaSet
              name: web-7d9f
              uid: 1b0c2f1e-0000-4000-8000-000000000001
              controller: true
              blockOwnerDeletion: true
          spec:
            nodeName: aks-nodepool1-0
            containers:
            - name: web
              image: nginx:1.27
              ports:
              - containerPort: 80
        - apiVersion: v1
          kind: Pod
          metadata:
            name: hostnet
            namespace: shop
            labels: {app: agent}
          spec:
            hostNetwork: true
            nodeName: aks-nodepool1-0
            containers:
            - {name: agent, image: busybox}
        - apiVersion: v1
          kind: Pod
          metadata:
            name: static-web-aks-nodepool1-0
            namespace: shop
            labels: {app: static}
            annotations: {"kubernetes.io/config.mirror": "abc123"}
          spec:
            nodeName: aks-nodepool1-0
            containers:
            - {name: web, image: nginx}
        - apiVersion: v1
          kind: Pod
          metadata:
            name: coredns-1
            namespace: kube-system
            labels: {k8s-app: kube-dns}
          spec:
            containers:
            - {name: coredns, image: coredns}
        - apiVersion: v1
          kind: Pod
          metadata:
            name: payments-0
            namespace: payments
            labels: {app: payments}
          spec:
            containers:
            - {name: api, image: payments}
        - apiVersion: v1
          kind: Service
          metadata:
            name: web
            namespace: shop
          spec:
            selector: {app: web}
            ports:
            - port: 80
        """;
}
