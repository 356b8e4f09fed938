// A custom Event Grid topic for alerts (CloudEvents 1.0 schema) and, once the function exists, its
// subscription to the app's EventGridAlerts function with retries and a dead-letter container.

@description('Region of the topic.')
param location string

@description('Name of the custom topic.')
param topicName string

@description('Resource id of the function app.')
param functionAppId string

@description('Create the subscription: the EventGridAlerts function must already be published.')
param subscribe bool

@description('Storage account for undeliverable events.')
param deadLetterStorageId string

@description('Blob container for undeliverable events.')
param deadLetterContainerName string

// Storage Blob Data Contributor: the dead-letter account takes no shared key, so Event Grid writes with the topic's identity.
var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

resource deadLetterStorage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: last(split(deadLetterStorageId, '/'))
}

resource topic 'Microsoft.EventGrid/topics@2025-02-15' = {
  name: topicName
  location: location
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    inputSchema: 'CloudEventSchemaV1_0'
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
  }
}

resource deadLetterWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(deadLetterStorage.id, topic.id, storageBlobDataContributor)
  scope: deadLetterStorage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: topic.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource subscription 'Microsoft.EventGrid/topics/eventSubscriptions@2025-02-15' = if (subscribe) {
  parent: topic
  name: 'containment-alerts'
  properties: {
    eventDeliverySchema: 'CloudEventSchemaV1_0'
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: '${functionAppId}/functions/EventGridAlerts'
        // The EventGridAlerts function takes one event per call.
        maxEventsPerBatch: 1
      }
    }
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: deadLetterStorageId
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
  dependsOn: [
    deadLetterWriter
  ]
}

output topicId string = topic.id
output endpoint string = topic.properties.endpoint
