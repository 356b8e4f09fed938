// Gives the app's identity what it needs on one AKS cluster: the cluster user credential (to read
// the server address and CA), Kubernetes RBAC write access (to relabel pods and create policies), and
// read and write on nodes (to cordon and uncordon them), which the built-in AKS RBAC Writer role does
// not grant: it covers the objects in a namespace, and nodes belong to no namespace.
// Built-in AKS RBAC roles do not cover CRDs: CiliumNetworkPolicy needs a custom role on the cluster.

@description('Name of the managed cluster in this resource group.')
param clusterName string

@description('Object id of the app\'s managed identity.')
param principalId string

var aksClusterUserRole = '4abbcc35-e782-43d8-92c5-2d3f1bd2253f'
var aksRbacWriterRole = 'a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb'

resource cluster 'Microsoft.ContainerService/managedClusters@2025-10-01' existing = {
  name: clusterName
}

resource clusterUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(cluster.id, principalId, aksClusterUserRole)
  scope: cluster
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', aksClusterUserRole)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource rbacWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(cluster.id, principalId, aksRbacWriterRole)
  scope: cluster
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', aksRbacWriterRole)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Azure RBAC for Kubernetes maps get, list and watch to read, and create, update and patch to write.
resource nodeCordonRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'containment-node-cordon')
  properties: {
    // Role names are unique in the tenant; clusters in other resource groups get a role of their own.
    roleName: 'Containment node cordon ${uniqueString(resourceGroup().id)}'
    description: 'Read, cordon and uncordon the nodes of AKS clusters in this resource group (Containment cordonNode and uncordonNode steps).'
    type: 'CustomRole'
    assignableScopes: [
      resourceGroup().id
    ]
    permissions: [
      {
        actions: []
        notActions: []
        dataActions: [
          'Microsoft.ContainerService/managedClusters/nodes/read'
          'Microsoft.ContainerService/managedClusters/nodes/write'
        ]
        notDataActions: []
      }
    ]
  }
}

resource nodeCordon 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(cluster.id, principalId, nodeCordonRole.id)
  scope: cluster
  properties: {
    roleDefinitionId: nodeCordonRole.id
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
