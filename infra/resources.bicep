// Everything the pipeline runs on, inside the environment's resource group: storage (tables,
// queues, plan documents, the Flex deployment container), a user-assigned identity with storage
// data roles, monitoring, and the Flex Consumption function app that hosts the custom handler.

@description('Azure region for every resource in this module.')
param location string

@description('Tags for every resource; must carry azd-env-name.')
param tags object

@minLength(3)
@maxLength(24)
@description('Storage account name (3-24 lower-case letters and digits, globally unique).')
param storageAccountName string

@description('Name of the user-assigned managed identity.')
param identityName string

@description('Name of the Log Analytics workspace.')
param logAnalyticsName string

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('Name of the Flex Consumption plan.')
param planName string

@description('Name of the function app (globally unique; it is also the host name prefix).')
param functionAppName string

@description('Object id of the person or principal running the deployment. When set, it gets the same storage data roles as the app identity. Empty skips those assignments.')
param principalId string = ''

@description('App setting PublicData__BaseUrl.')
param publicDataBaseUrl string

@secure()
@description('App setting PublicData__ApiKey.')
param publicDataApiKey string

@description('App setting Pipeline__TimeZone (IANA zone id).')
param pipelineTimeZone string

@description('App setting Pipeline__PlanDeadlineDays.')
param planDeadlineDays int

@description('App setting Pipeline__ResubmissionDays.')
param resubmissionDays int

@description('App setting Targets__Year; 0 leaves it out (the app then uses the current year).')
param targetsYear int

@description('App setting Targets__Prtr.')
param targetsPrtr int

@description('App setting Targets__Carbon.')
param targetsCarbon int

@secure()
@description('App setting Alerts__WebhookUrl; empty leaves it out (alerts are only stored).')
param alertsWebhookUrl string

@secure()
@description('App setting Auth__StaffKeys__0.')
param staffKey string

@secure()
@description('App setting Auth__AnalystKeys__0.')
param analystKey string

@description('functionAppConfig.runtime.name of the Flex app.')
param functionsRuntimeName string

@description('functionAppConfig.runtime.version of the Flex app.')
param functionsRuntimeVersion string

@description('functionAppConfig.scaleAndConcurrency.maximumInstanceCount of the Flex app.')
param maximumInstanceCount int

@description('functionAppConfig.scaleAndConcurrency.instanceMemoryMB of the Flex app.')
param instanceMemoryMB int

// Names the application code relies on (shared/ and the function.json files).
var queueNames = [
  'sync-batches'
  'sync-batches-poison'
  'alerts'
  'alerts-poison'
]
var planDocumentsContainerName = 'plan-documents'
// Flex Consumption fetches the app package from this container ("one deploy").
var deploymentContainerName = 'app-package'

// Built-in storage data roles. Blob Data Owner rather than Contributor: it is what Flex
// deployment storage and an identity-based Functions host (keys, timer locks) are documented with.
var storageRoles = [
  {
    name: 'Storage Blob Data Owner'
    id: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  }
  {
    name: 'Storage Queue Data Contributor'
    id: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  }
  {
    name: 'Storage Table Data Contributor'
    id: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  }
]

// ---------------------------------------------------------------- identity

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: identityName
  location: location
  tags: tags
}

// ---------------------------------------------------------------- storage

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
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
    // DEVIATION from the house rule (allowSharedKeyAccess: false), on purpose and for now: the
    // storage adapters use WindowsAzure.Storage 9.3.3 / Microsoft.Azure.Cosmos.Table 1.0.8, which
    // can only authenticate with the account key (or SAS) taken from the AzureWebJobsStorage
    // connection string. Turning shared key off would lock the app out of its own tables, queues
    // and blobs. Turn it off once the adapters use Azure.Data.Tables / Azure.Storage.Blobs /
    // Azure.Storage.Queues with the user-assigned identity below (its roles are already in
    // place) and AzureWebJobsStorage becomes identity-based. See README.md, "Shared key access".
    allowSharedKeyAccess: true
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

    // The Functions host creates the -poison queues itself when it first needs them; creating
    // them here keeps them visible (and alertable) from day one.
    resource queues 'queues' = [for queueName in queueNames: {
      name: queueName
    }]
  }

  // Tables are not declared: their names belong to the storage adapters, which are expected to
  // create them on start (CreateIfNotExists). Declare them under tableServices if that changes.
}

// Data roles for the app identity: used today by Flex deployment storage, and ready for the
// adapter swap to identity-based clients.
resource identityStorageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in storageRoles: {
  name: guid(storage.id, identity.id, role.id)
  scope: storage
  properties: {
    description: '${role.name} for the function app identity'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.id)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}]

// principalType is left out: the deployer may be a user or, in CI, a service principal.
resource deployerStorageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in storageRoles: if (!empty(principalId)) {
  name: guid(storage.id, principalId, role.id)
  scope: storage
  properties: {
    description: '${role.name} for the deploying principal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.id)
    principalId: principalId
  }
}]

// ---------------------------------------------------------------- monitoring

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
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
  }
}

// ---------------------------------------------------------------- function app

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
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

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
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
      // RUNTIME NOTE (unverified; see infra/README.md): how Flex Consumption names the custom-handler runtime is not confirmed.
      // 'custom' / '1.0' is the best reading of the platform's stack list. If the platform rejects
      // it, or the host does not start the handler, the documented fallback is the .NET isolated
      // stack as a plain host for the handler: functionsRuntimeName 'dotnet-isolated' with
      // version '8.0', and host.json switched to "defaultExecutablePath": "dotnet" with
      // "arguments": ["DisclosurePipeline.Functions.dll"] (a framework-dependent publish, which
      // needs a .NET runtime the handler can run on to be on the image's PATH; seen only for 8.0).
      // The self-contained executable in handler/ needs neither.
      runtime: {
        name: functionsRuntimeName
        version: functionsRuntimeVersion
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
    }
  }
  // The identity must hold Blob Data Owner on the deployment container before the first deploy.
  dependsOn: [
    identityStorageRoles
  ]
}

// Settings the app always gets. (The variable calls listKeys; Bicep inlines it where it is used.)
var baseAppSettings = {
  // Flex Consumption does not use FUNCTIONS_EXTENSION_VERSION or FUNCTIONS_WORKER_RUNTIME:
  // the runtime comes from functionAppConfig.runtime and the host version is the platform's.
  // WEBSITE_RUN_FROM_PACKAGE is not used either: the package comes from the deployment
  // container. Do not add them here.

  // A connection string with the account key, not the identity-based AzureWebJobsStorage__*
  // form: the app itself reads this setting as the connection string of its storage adapters
  // (old SDKs, shared key only), so the host and the adapters must share a key-based value
  // until the adapters are swapped. See the note on allowSharedKeyAccess above.
  AzureWebJobsStorage: 'DefaultEndpointsProtocol=https;AccountName=${storage.name};AccountKey=${storage.listKeys().keys[0].value};EndpointSuffix=${environment().suffixes.storage}'
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
  PublicData__BaseUrl: publicDataBaseUrl
  PublicData__ApiKey: publicDataApiKey
  Pipeline__TimeZone: pipelineTimeZone
  Pipeline__PlanDeadlineDays: string(planDeadlineDays)
  Pipeline__ResubmissionDays: string(resubmissionDays)
  Targets__Prtr: string(targetsPrtr)
  Targets__Carbon: string(targetsCarbon)
  Auth__StaffKeys__0: staffKey
  Auth__AnalystKeys__0: analystKey
}

// Optional settings are left out rather than set empty, so the app's own defaults apply.
var targetsYearSetting = targetsYear > 0 ? { Targets__Year: string(targetsYear) } : {}
var alertsWebhookSetting = empty(alertsWebhookUrl) ? {} : { Alerts__WebhookUrl: alertsWebhookUrl }

// The whole app settings collection is owned here: a setting added by hand in the portal is
// removed by the next provision.
resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: union(baseAppSettings, targetsYearSetting, alertsWebhookSetting)
}

output functionAppName string = functionApp.name
output functionAppUri string = 'https://${functionApp.properties.defaultHostName}'
output storageAccountName string = storage.name
output deploymentContainerName string = deploymentContainerName
output identityClientId string = identity.properties.clientId
output applicationInsightsName string = applicationInsights.name
