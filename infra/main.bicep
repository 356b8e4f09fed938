// Containment in Azure: a Flex Consumption function app (.NET isolated) with a user-assigned managed
// identity, storage without shared keys (ledger tables, the Durable task hub, the deployment
// container), Application Insights, Key Vault for secrets, an Event Grid topic that delivers alerts
// to the app, and the identity's access to each AKS cluster it may isolate pods in.

targetScope = 'resourceGroup'

//********************************************
// Parameters
//********************************************

@description('Region for every resource.')
param location string = resourceGroup().location

@description('A short token that makes resource names unique. The default is stable for this resource group.')
@minLength(3)
@maxLength(13)
param resourceToken string = toLower(uniqueString(subscription().id, resourceGroup().id))

@description('The function app\'s name (also its host name).')
param appName string = 'containment-${resourceToken}'

@description('.NET version of the isolated worker on Flex Consumption.')
param dotnetVersion string = '10.0'

@description('Most instances the app may scale out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Memory of each instance, in MB.')
@allowed([2048, 4096])
param instanceMemoryMB int = 2048

@description('AKS clusters the app may act on. alias: the name playbooks and alerts use; resourceId: the managed cluster\'s full resource id.')
param aksClusters aksCluster[] = []

@description('Namespaces never isolated, besides kube-system, kube-public and kube-node-lease.')
param protectedNamespaces string[] = []

@description('Notification channels, each as playbooks name it: teams, slack and webhook with the Key Vault secret of their URL; email with its SMTP server, sender and recipients (the password as a Key Vault secret). The shipped playbooks name soc-teams, soc-email and soc-oncall.')
param notificationChannels notificationChannel[] = []

@description('When the drift watch compares every cluster with the isolation ledger: an NCRONTAB expression of six fields (second first), UTC.')
param driftSchedule string = '0 */15 * * * *'

@description('Notification channels (their names) the drift watch reports a new disagreement to. Empty: it is only logged.')
param driftChannels string[] = []

@description('Create the Event Grid subscription to the app\'s EventGridAlerts function. Leave false on the first deployment: the function must exist (published) before a subscription can point at it.')
param subscribeEventGrid bool = false

@description('Entra object id of a person or group given Key Vault Secrets Officer, to set the signing key and webhook URLs. Empty: none.')
param secretsAdministratorObjectId string = ''

@description('An OpenTelemetry collector (OTLP, e.g. https://collector.example:4317) the app sends its trace spans to. Empty: none are sent.')
param otlpEndpoint string = ''

@description('How long the storage SDK waits before it tries a request again (no answer, 408, 429 or 5xx), doubled per try; the SDK\'s own 0.8 s by default.')
param storageRetryDelay string = '00:00:00.800'

@description('Days Log Analytics keeps data.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 90

type aksCluster = {
  @description('Alias used in settings, alerts and playbooks (letters, digits, dashes).')
  alias: string
  @description('/subscriptions/.../resourceGroups/.../providers/Microsoft.ContainerService/managedClusters/NAME')
  resourceId: string
}

type notificationChannel = {
  @description('As playbooks and driftChannels name it.')
  name: string
  type: ('teams' | 'slack' | 'email' | 'webhook')
  @description('teams, slack, webhook: the Key Vault secret holding the webhook URL.')
  urlSecretName: string?
  @description('webhook: the Key Vault secret holding the key that signs each POST (optional).')
  signingSecretName: string?
  @description('email: recipients, separated by commas.')
  to: string?
  @description('email: the SMTP server.')
  smtpHost: string?
  @description('email: 587 unless given.')
  port: int?
  @description('email: start-tls unless given.')
  security: ('none' | 'start-tls' | 'ssl-on-connect')?
  @description('email: the sender, e.g. Containment <containment@example.com>.')
  from: string?
  @description('email: the SMTP user, when the server wants one.')
  username: string?
  @description('email: the Key Vault secret holding the SMTP password (with username).')
  passwordSecretName: string?
}

//********************************************
// Variables
//********************************************

var deploymentContainerName = 'app-package-${take(resourceToken, 13)}'
var deadLetterContainerName = 'eventgrid-deadletter'
var keyVaultName = 'kv-${take(resourceToken, 13)}-cnt'
var signingKeySecretName = 'approval-signing-key'

// Built-in role definition ids (learn.microsoft.com "Azure built-in roles").
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
}

//********************************************
// Identity, monitoring, storage, secrets
//********************************************

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-${appName}'
  location: location
}

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-${appName}'
  location: location
  properties: {
    retentionInDays: logRetentionDays
    sku: { name: 'PerGB2018' }
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${appName}'
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    DisableLocalAuth: true
  }
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: 'st${replace(resourceToken, '-', '')}cnt'
  location: location
  kind: 'StorageV2'
  sku: { name: 'Standard_ZRS' }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }

  resource blobServices 'blobServices' = {
    name: 'default'

    resource deploymentContainer 'containers' = {
      name: deploymentContainerName
      properties: { publicAccess: 'None' }
    }

    resource deadLetterContainer 'containers' = {
      name: deadLetterContainerName
      properties: { publicAccess: 'None' }
    }
  }

  // The ledger's tables (audit rows and approval requests live in their subject's partition); the embedded
  // runtime and Durable Functions create their own.
  resource tableServices 'tableServices' = {
    name: 'default'

    resource isolations 'tables' = { name: 'ContainmentIsolations' }
    resource events 'tables' = { name: 'ContainmentEvents' }
    resource poison 'tables' = { name: 'ContainmentPoison' }
    resource drift 'tables' = { name: 'ContainmentDrift' }
  }
}

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: keyVaultName
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    enablePurgeProtection: true
    softDeleteRetentionInDays: 90
  }
}

// Storage, monitoring and secrets roles for the app's identity.
resource storageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in [
  roles.storageBlobDataOwner
  roles.storageQueueDataContributor
  roles.storageTableDataContributor
]: {
  name: guid(storage.id, identity.id, role)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}]

resource appInsightsRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identity.id, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource keyVaultSecretsUserRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(keyVault.id, identity.id, roles.keyVaultSecretsUser)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource keyVaultAdministratorRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(secretsAdministratorObjectId)) {
  name: guid(keyVault.id, secretsAdministratorObjectId, roles.keyVaultSecretsOfficer)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
    principalId: secretsAdministratorObjectId
  }
}

//********************************************
// The function app
//********************************************

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-${appName}'
  location: location
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

var clusterSettings = reduce(aksClusters, {}, (settings, cluster) => union(settings, {
  'Containment__Clusters__${cluster.alias}__ResourceId': cluster.resourceId
}))

// A batch the collector refuses or misses while it restarts is tried again rather than dropped.
var tracingSettings = empty(otlpEndpoint) ? {} : {
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint
  OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY: 'in_memory'
}

var protectedNamespaceSettings = reduce(range(0, length(protectedNamespaces)), {}, (settings, index) => union(settings, {
  'Containment__ProtectedNamespaces__${index}': protectedNamespaces[index]
}))

// Each channel's settings as the code binds them (NotificationOptionsReader); secrets only as Key Vault references.
var channelSettings = reduce(notificationChannels, {}, (settings, channel) => union(settings, {
  'Containment__Notifications__Channels__${channel.name}__Type': channel.type
}, channel.?urlSecretName == null ? {} : {
  'Containment__Notifications__Channels__${channel.name}__Url': '@Microsoft.KeyVault(VaultName=${keyVault.name};SecretName=${channel.urlSecretName!})'
}, channel.?signingSecretName == null ? {} : {
  'Containment__Notifications__Channels__${channel.name}__Secret': '@Microsoft.KeyVault(VaultName=${keyVault.name};SecretName=${channel.signingSecretName!})'
}, channel.?to == null ? {} : {
  'Containment__Notifications__Channels__${channel.name}__To': channel.to!
}, channel.?smtpHost == null ? {} : {
  'Containment__Notifications__Channels__${channel.name}__SmtpHost': channel.smtpHost!
}, channel.?port == null ? {} : {
  'Containment__Notifications__Channels__${channel.name}__Port': string(channel.port!)
}, channel.?security == null ? {} : {
  'Containment__Notifications__Channels__${channel.name}__Security': channel.security!
}, channel.?from == null ? {} : {
  'Containment__Notifications__Channels__${channel.name}__From': channel.from!
}, channel.?username == null ? {} : {
  'Containment__Notifications__Channels__${channel.name}__Username': channel.username!
}, channel.?passwordSecretName == null ? {} : {
  'Containment__Notifications__Channels__${channel.name}__Password': '@Microsoft.KeyVault(VaultName=${keyVault.name};SecretName=${channel.passwordSecretName!})'
}))

// The timer resolves its schedule from a setting of its own: a nested name does not resolve reliably on Linux.
var driftSettings = reduce(range(0, length(driftChannels)), {
  ContainmentDriftSchedule: driftSchedule
}, (settings, index) => union(settings, {
  'Containment__Drift__Channels__${index}': driftChannels[index]
}))

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: dotnetVersion
      }
    }
  }

  resource appSettings 'config' = {
    name: 'appsettings'
    properties: union({
      // Storage through the managed identity: no connection string, no shared key.
      AzureWebJobsStorage__accountName: storage.name
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identity.properties.clientId
      AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
      APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'
      AZURE_CLIENT_ID: identity.properties.clientId
      Containment__PlaybooksPath: 'playbooks'
      Containment__Approvals__SigningKey: '@Microsoft.KeyVault(VaultName=${keyVault.name};SecretName=${signingKeySecretName})'
      Containment__Approvals__BaseUrl: 'https://${appName}.azurewebsites.net'
      Containment__Storage__RetryDelay: storageRetryDelay
    }, clusterSettings, protectedNamespaceSettings, channelSettings, driftSettings, tracingSettings)
  }
}

//********************************************
// Alerts in: Event Grid, and access to the clusters
//********************************************

module alertTopic 'modules/alert-topic.bicep' = {
  name: 'alert-topic'
  params: {
    location: location
    topicName: 'evgt-${appName}'
    functionAppId: functionApp.id
    subscribe: subscribeEventGrid
    deadLetterStorageId: storage.id
    deadLetterContainerName: deadLetterContainerName
  }
}

module clusterAccess 'modules/aks-cluster-access.bicep' = [for cluster in aksClusters: {
  name: 'aks-access-${cluster.alias}'
  scope: resourceGroup(split(cluster.resourceId, '/')[2], split(cluster.resourceId, '/')[4])
  params: {
    clusterName: last(split(cluster.resourceId, '/'))
    principalId: identity.properties.principalId
  }
}]

//********************************************
// Outputs
//********************************************

output functionAppName string = functionApp.name
output identityClientId string = identity.properties.clientId
output identityPrincipalId string = identity.properties.principalId
output keyVaultName string = keyVault.name
output signingKeySecretName string = signingKeySecretName
output alertsUrl string = 'https://${appName}.azurewebsites.net/api/alerts'
output eventGridWebhookUrl string = 'https://${appName}.azurewebsites.net/api/eventgrid'
output isolationsUrl string = 'https://${appName}.azurewebsites.net/api/isolations'
output eventGridTopicEndpoint string = alertTopic.outputs.endpoint
output eventGridTopicId string = alertTopic.outputs.topicId
