// Everything the pipeline runs on, inside the environment's resource group: storage (tables,
// queues, plan documents, the Flex deployment container) reached with a user-assigned identity
// only, a Key Vault for the secrets, monitoring, and the Flex Consumption function app that runs
// the .NET isolated worker.

@description('Azure region for every resource in this module.')
param location string

@description('Tags for every resource; must carry azd-env-name.')
param tags object

@minLength(3)
@maxLength(24)
@description('Storage account name (3-24 lower-case letters and digits, globally unique).')
param storageAccountName string

@description('Name of the user-assigned managed identity the function app runs as.')
param identityName string

@minLength(3)
@maxLength(24)
@description('Key Vault name (3-24 letters, digits and hyphens, globally unique).')
param keyVaultName string

@description('Name of the Log Analytics workspace.')
param logAnalyticsName string

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('Name of the Flex Consumption plan.')
param planName string

@description('Name of the function app (globally unique; it is also the host name prefix).')
param functionAppName string

@description('Object id of the deploying principal. When set, it gets Key Vault Secrets Officer on the vault and the storage data roles. Empty skips those assignments.')
param principalId string

@description('App setting PublicData__BaseUrl.')
param publicDataBaseUrl string

@description('App setting Pipeline__TimeZone (IANA zone id).')
param pipelineTimeZone string

@description('App setting Pipeline__PlanDeadlineDays.')
param planDeadlineDays int

@description('App setting Pipeline__ResubmissionDays.')
param resubmissionDays int

@description('App setting Targets__Year; 0 means the current year.')
param targetsYear int

@description('App setting Targets__Prtr.')
param targetsPrtr int

@description('App setting Targets__Carbon.')
param targetsCarbon int

@description('True adds the app setting Alerts__WebhookUrl (a Key Vault reference); false leaves it out.')
param alertsWebhookEnabled bool

@description('True adds the app setting Alerts__SupplierWebhookUrl (a Key Vault reference); false leaves it out.')
param alertsSupplierWebhookEnabled bool

@description('App setting Alerts__Format: json, teams or slack.')
param alertsFormat string

@description('App setting Alerts__Digest (HH:mm); empty leaves the setting out (one post per alert).')
param alertsDigest string

@description('App setting Alerts__WorkbenchUrl; empty leaves the setting out (messages carry no links).')
param alertsWorkbenchUrl string

@secure()
@description('Value for the secret behind PublicData__ApiKey; empty leaves the secret as it is.')
param publicDataApiKey string

@secure()
@description('Value for the secret behind Auth__StaffKeys__0; empty leaves the secret as it is.')
param staffKey string

@secure()
@description('Value for the secret behind Auth__AnalystKeys__0; empty leaves the secret as it is.')
param analystKey string

@secure()
@description('Value for the secret behind Alerts__WebhookUrl; empty leaves the secret as it is.')
param alertsWebhookUrl string

@secure()
@description('Value for the secret behind Alerts__SupplierWebhookUrl; empty leaves the secret as it is.')
param alertsSupplierWebhookUrl string

@description('functionAppConfig.scaleAndConcurrency.maximumInstanceCount of the Flex app.')
param maximumInstanceCount int

@description('functionAppConfig.scaleAndConcurrency.instanceMemoryMB of the Flex app.')
param instanceMemoryMB int

// Names the application code relies on.
var queueNames = [
  'sync-batches'
  'sync-batches-poison'
  'alerts'
  'alerts-poison'
]
var planDocumentsContainerName = 'plan-documents'
// Flex Consumption fetches the app package from this container ("one deploy").
var deploymentContainerName = 'app-package'

// Key Vault secret names, one per secret app setting.
var secretNames = {
  publicDataApiKey: 'public-data-api-key'
  staffKey: 'auth-staff-key-0'
  analystKey: 'auth-analyst-key-0'
  alertsWebhookUrl: 'alerts-webhook-url'
  alertsSupplierWebhookUrl: 'alerts-supplier-webhook-url'
}

// Built-in role definitions, each with the reason the app identity holds it.
var roles = {
  // Host storage (AzureWebJobsStorage): host keys, timer schedule status and singleton locks are
  // blobs with leases; the Flex deployment package is read from app-package; the app writes plan
  // documents. The Functions host documents Owner (not Contributor) for its blob storage.
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  // Queue triggers (sync-batches, alerts) read, update and delete messages and move failures to
  // the -poison queues; the app enqueues batches and alerts.
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  // The storage adapters create their tables on first use and read and write entities.
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  // Telemetry to Application Insights with Entra authentication (local auth is off).
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  // Key Vault references in app settings read secret values.
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  // The deploying principal only: sets secrets with az keyvault secret set.
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
}
var storageRoles = [
  roles.storageBlobDataOwner
  roles.storageQueueDataContributor
  roles.storageTableDataContributor
]

// ---------------------------------------------------------------- identity

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: identityName
  location: location
  tags: tags
}

// ---------------------------------------------------------------- storage

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: storageAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    // Entra ID only: the host, the triggers and the storage adapters all use the identity.
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    networkAcls: {
      // No virtual network integration: the Flex app reaches storage over its public endpoint.
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }

  resource blobService 'blobServices' = {
    name: 'default'

    resource deploymentContainer 'containers' = {
      name: deploymentContainerName
      properties: {
        publicAccess: 'None'
      }
    }

    resource planDocumentsContainer 'containers' = {
      name: planDocumentsContainerName
      properties: {
        publicAccess: 'None'
      }
    }
  }

  resource queueService 'queueServices' = {
    name: 'default'

    // The host creates the -poison queues when it first needs them; declaring them here keeps
    // them visible (and alertable) from the start.
    resource queues 'queues' = [
      for queueName in queueNames: {
        name: queueName
      }
    ]
  }

  // Tables are not declared: the storage adapters own their names and create them on first use.
}

resource identityStorageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in storageRoles: {
    name: guid(storage.id, identity.id, roleId)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: identity.properties.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

// principalType is left out: the deployer may be a user or, in CI, a service principal.
resource deployerStorageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in storageRoles: if (!empty(principalId)) {
    name: guid(storage.id, principalId, roleId)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: principalId
    }
  }
]

// ---------------------------------------------------------------- secrets

resource keyVault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: keyVaultName
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    // Azure RBAC, no access policies.
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
  }
}

resource identityKeyVaultRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(keyVault.id, identity.id, roles.keyVaultSecretsUser)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource deployerKeyVaultRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(principalId)) {
  name: guid(keyVault.id, principalId, roles.keyVaultSecretsOfficer)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
    principalId: principalId
  }
}

// A secret is written only when its parameter has a value, so a later provision without the value
// keeps what az keyvault secret set stored.
resource publicDataApiKeySecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (!empty(publicDataApiKey)) {
  parent: keyVault
  name: secretNames.publicDataApiKey
  properties: {
    value: publicDataApiKey
  }
}

resource staffKeySecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (!empty(staffKey)) {
  parent: keyVault
  name: secretNames.staffKey
  properties: {
    value: staffKey
  }
}

resource analystKeySecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (!empty(analystKey)) {
  parent: keyVault
  name: secretNames.analystKey
  properties: {
    value: analystKey
  }
}

resource alertsWebhookUrlSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (!empty(alertsWebhookUrl)) {
  parent: keyVault
  name: secretNames.alertsWebhookUrl
  properties: {
    value: alertsWebhookUrl
  }
}

resource alertsSupplierWebhookUrlSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (!empty(alertsSupplierWebhookUrl)) {
  parent: keyVault
  name: secretNames.alertsSupplierWebhookUrl
  properties: {
    value: alertsSupplierWebhookUrl
  }
}

// ---------------------------------------------------------------- monitoring

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2025-02-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    // Ingestion with Entra ID only: the app authenticates as the identity.
    DisableLocalAuth: true
  }
}

resource identityMonitoringRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, identity.id, roles.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---------------------------------------------------------------- function app

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true // Linux; Flex Consumption is Linux only.
  }
}

resource functionApp 'Microsoft.Web/sites@2024-11-01' = {
  name: functionAppName
  location: location
  tags: union(tags, { 'azd-service-name': 'functions' })
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
    // Key Vault references in app settings are resolved as the user-assigned identity.
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      minTlsVersion: '1.2'
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
      // The app is a .NET 10 isolated worker (see README.md beside this file, "Runtime").
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
    }
  }
  // The identity must be able to read the deployment container before the first deploy.
  dependsOn: [
    identityStorageRoles
  ]
}

// Secret app settings: each is a Key Vault reference, resolved by the platform as the identity.
var secretSettings = union(
  {
    PublicData__ApiKey: secretNames.publicDataApiKey
    Auth__StaffKeys__0: secretNames.staffKey
    Auth__AnalystKeys__0: secretNames.analystKey
  },
  alertsWebhookEnabled ? { Alerts__WebhookUrl: secretNames.alertsWebhookUrl } : {},
  alertsSupplierWebhookEnabled ? { Alerts__SupplierWebhookUrl: secretNames.alertsSupplierWebhookUrl } : {}
)
var keyVaultReferences = toObject(
  items(secretSettings),
  setting => setting.key,
  setting => '@Microsoft.KeyVault(VaultName=${keyVault.name};SecretName=${setting.value})'
)

var appSettingsValues = union(
  {
    // Host storage and the app's storage clients, identity-based: one endpoint per service, the
    // user-assigned identity as the credential. No connection string exists (shared key is off).
    AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
    AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
    AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identity.properties.clientId

    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'

    PublicData__BaseUrl: publicDataBaseUrl
    Pipeline__TimeZone: pipelineTimeZone
    Pipeline__PlanDeadlineDays: string(planDeadlineDays)
    Pipeline__ResubmissionDays: string(resubmissionDays)
    Targets__Year: string(targetsYear)
    Targets__Prtr: string(targetsPrtr)
    Targets__Carbon: string(targetsCarbon)

    Alerts__Format: alertsFormat
  },
  empty(alertsDigest) ? {} : { Alerts__Digest: alertsDigest },
  empty(alertsWorkbenchUrl) ? {} : { Alerts__WorkbenchUrl: alertsWorkbenchUrl },
  keyVaultReferences
)

// Flex Consumption takes neither FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION nor
// WEBSITE_RUN_FROM_PACKAGE: the runtime is functionAppConfig.runtime, the host version is the
// platform's and the package comes from the deployment container.
// The whole collection is owned here: a setting added by hand in the portal is removed by the
// next provision.
resource appSettings 'Microsoft.Web/sites/config@2024-11-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: appSettingsValues
  // References resolve when the settings are written: the roles and secrets must exist first.
  dependsOn: [
    identityKeyVaultRole
    identityMonitoringRole
    identityStorageRoles
    publicDataApiKeySecret
    staffKeySecret
    analystKeySecret
    alertsWebhookUrlSecret
    alertsSupplierWebhookUrlSecret
  ]
}

output FUNCTION_APP_NAME string = functionApp.name
output FUNCTION_APP_URI string = 'https://${functionApp.properties.defaultHostName}'
output STORAGE_ACCOUNT_NAME string = storage.name
output DEPLOYMENT_CONTAINER_NAME string = deploymentContainerName
output IDENTITY_CLIENT_ID string = identity.properties.clientId
output KEY_VAULT_NAME string = keyVault.name
output KEY_VAULT_URI string = keyVault.properties.vaultUri
output APPLICATION_INSIGHTS_NAME string = applicationInsights.name
