// Entry point in the azd shape: subscription scope, one resource group per azd environment,
// everything else in resources.bicep. See README.md beside this file.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment (AZURE_ENV_NAME). Names the resource group, seeds the resource names and is the azd-env-name tag.')
param environmentName string

@minLength(1)
@description('Azure region for every resource. It must be a region that offers the Flex Consumption plan (az functionapp list-flexconsumption-locations).')
@metadata({ azd: { type: 'location' } })
param location string

@description('Object id of the person or principal running the deployment (AZURE_PRINCIPAL_ID). When set, it gets the same storage data roles as the app identity, for looking at queues, blobs and tables with Entra sign-in. Leave empty to skip.')
param principalId string = ''

@minLength(1)
@description('Base URL of the public data API (app setting PublicData__BaseUrl).')
param publicDataBaseUrl string

@secure()
@minLength(1)
@description('Key of the public data API (app setting PublicData__ApiKey).')
param publicDataApiKey string

@description('IANA time zone that deadlines and "days" are counted in (app setting Pipeline__TimeZone).')
param pipelineTimeZone string = 'Asia/Shanghai'

@minValue(1)
@maxValue(365)
@description('Days after a disclosure that an improvement plan is due (app setting Pipeline__PlanDeadlineDays).')
param planDeadlineDays int = 10

@minValue(1)
@maxValue(365)
@description('Days after a rejection that a new plan is due (app setting Pipeline__ResubmissionDays).')
param resubmissionDays int = 10

@minValue(0)
@maxValue(9999)
@description('Target year (app setting Targets__Year). 0 leaves the setting out, so the app uses the current year in the pipeline time zone.')
param targetsYear int = 0

@minValue(0)
@description('PRTR disclosure target, in entities (app setting Targets__Prtr).')
param targetsPrtr int = 200

@minValue(0)
@description('Carbon disclosure target, in entities (app setting Targets__Carbon).')
param targetsCarbon int = 180

@secure()
@description('Incoming-webhook URL that alerts are POSTed to (app setting Alerts__WebhookUrl). Secret because such URLs carry their own credential. Empty leaves the setting out: alerts are only stored.')
param alertsWebhookUrl string = ''

@secure()
@minLength(16)
@description('First staff bearer key (app setting Auth__StaffKeys__0).')
param staffKey string

@secure()
@minLength(16)
@description('First analyst bearer key, read-only role (app setting Auth__AnalystKeys__0).')
param analystKey string

@allowed([
  'custom'
  'dotnet-isolated'
])
@description('Flex Consumption worker runtime (functionAppConfig.runtime.name). "custom" for the custom handler; see the runtime note in resources.bicep before changing it.')
param functionsRuntimeName string = 'custom'

@description('Version that goes with functionsRuntimeName (functionAppConfig.runtime.version), e.g. "1.0" for custom or "8.0" for dotnet-isolated.')
param functionsRuntimeVersion string = '1.0'

@minValue(40)
@maxValue(1000)
@description('Most instances the Flex Consumption plan may scale the app out to.')
param maximumInstanceCount int = 40

@allowed([
  512
  2048
  4096
])
@description('Memory of each Flex Consumption instance, in MB.')
param instanceMemoryMB int = 2048

var abbrs = loadJsonContent('abbreviations.json')
// One token per subscription, environment and region: the same inputs give the same names, so a
// re-deployment updates in place.
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module resources 'resources.bicep' = {
  name: 'resources'
  scope: rg
  params: {
    location: location
    tags: tags
    storageAccountName: '${abbrs.storageStorageAccounts}${resourceToken}'
    identityName: '${abbrs.managedIdentityUserAssignedIdentities}${resourceToken}'
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    planName: '${abbrs.webServerFarms}${resourceToken}'
    functionAppName: '${abbrs.webSitesFunctions}${resourceToken}'
    principalId: principalId
    publicDataBaseUrl: publicDataBaseUrl
    publicDataApiKey: publicDataApiKey
    pipelineTimeZone: pipelineTimeZone
    planDeadlineDays: planDeadlineDays
    resubmissionDays: resubmissionDays
    targetsYear: targetsYear
    targetsPrtr: targetsPrtr
    targetsCarbon: targetsCarbon
    alertsWebhookUrl: alertsWebhookUrl
    staffKey: staffKey
    analystKey: analystKey
    functionsRuntimeName: functionsRuntimeName
    functionsRuntimeVersion: functionsRuntimeVersion
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
  }
}

// azd stores these in .azure/<env>/.env; the README's commands use them.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = resources.outputs.functionAppName
output AZURE_STORAGE_ACCOUNT_NAME string = resources.outputs.storageAccountName
output AZURE_STORAGE_DEPLOYMENT_CONTAINER string = resources.outputs.deploymentContainerName
output AZURE_USER_ASSIGNED_IDENTITY_CLIENT_ID string = resources.outputs.identityClientId
output APPLICATIONINSIGHTS_NAME string = resources.outputs.applicationInsightsName
output SERVICE_FUNCTIONS_NAME string = resources.outputs.functionAppName
output SERVICE_FUNCTIONS_URI string = resources.outputs.functionAppUri
