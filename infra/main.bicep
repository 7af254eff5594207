// Entry point in the azd shape: subscription scope, one resource group per azd environment,
// everything else in resources.bicep. See README.md beside this file.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment (AZURE_ENV_NAME). Names the resource group, seeds the resource names and is the azd-env-name tag.')
param environmentName string

@minLength(1)
@description('Azure region for every resource. It must offer the Flex Consumption plan with the dotnet-isolated 10.0 stack (az functionapp list-flexconsumption-runtimes --location <region>).')
@metadata({ azd: { type: 'location' } })
param location string

@description('Object id of the person or principal running the deployment (AZURE_PRINCIPAL_ID). When set, it may write the Key Vault secrets (Key Vault Secrets Officer) and read the storage data with Entra sign-in. Empty skips those assignments.')
param principalId string = ''

@minLength(1)
@description('Base URL of the public data API (app setting PublicData__BaseUrl).')
param publicDataBaseUrl string

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
@description('Target year (app setting Targets__Year). 0 means the current year in the pipeline time zone.')
param targetsYear int = 0

@minValue(0)
@maxValue(1000000)
@description('PRTR disclosure target, in entities (app setting Targets__Prtr).')
param targetsPrtr int = 200

@minValue(0)
@maxValue(1000000)
@description('Carbon disclosure target, in entities (app setting Targets__Carbon).')
param targetsCarbon int = 180

@description('Whether alerts are POSTed to a webhook. True adds the app setting Alerts__WebhookUrl, a Key Vault reference to the secret alerts-webhook-url; false leaves it out, so alerts are only stored.')
param alertsWebhookEnabled bool = false

@description('Whether due-soon reminders for suppliers go to a webhook of their own (for example a mail relay). True adds the app setting Alerts__SupplierWebhookUrl, a Key Vault reference to the secret alerts-supplier-webhook-url; false leaves it out, so reminders go to the staff webhook.')
param alertsSupplierWebhookEnabled bool = false

@allowed([
  'json'
  'teams'
  'slack'
])
@description('Body posted to the staff webhook (app setting Alerts__Format): json (the alert object), teams (Adaptive Card) or slack (Block Kit).')
param alertsFormat string = 'json'

@description('Local time HH:mm, in the pipeline time zone, of the daily overdue digest to staff (app setting Alerts__Digest). Empty: no digest, one post per overdue alert.')
param alertsDigest string = ''

@description('URL of the staff workbench page that messages to staff link to (app setting Alerts__WorkbenchUrl). Empty: no links.')
param alertsWorkbenchUrl string = ''

@secure()
@description('Key of the public data API. Non-empty: written to the Key Vault secret public-data-api-key (app setting PublicData__ApiKey refers to it). Empty: the secret is left as it is; set it with az keyvault secret set.')
param publicDataApiKey string = ''

@secure()
@description('First staff bearer key, at least 16 characters. Non-empty: written to the Key Vault secret auth-staff-key-0 (app setting Auth__StaffKeys__0). Empty: the secret is left as it is.')
param staffKey string = ''

@secure()
@description('First analyst bearer key (read-only role), at least 16 characters. Non-empty: written to the Key Vault secret auth-analyst-key-0 (app setting Auth__AnalystKeys__0). Empty: the secret is left as it is.')
param analystKey string = ''

@secure()
@description('Incoming-webhook URL alerts are POSTed to (such URLs carry their own credential). Non-empty: written to the Key Vault secret alerts-webhook-url. Used only when alertsWebhookEnabled is true.')
param alertsWebhookUrl string = ''

@secure()
@description('URL due-soon reminders for suppliers are POSTed to (it may carry its own credential). Non-empty: written to the Key Vault secret alerts-supplier-webhook-url. Used only when alertsSupplierWebhookEnabled is true.')
param alertsSupplierWebhookUrl string = ''

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
    keyVaultName: '${abbrs.keyVaultVaults}${resourceToken}'
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    planName: '${abbrs.webServerFarms}${resourceToken}'
    functionAppName: '${abbrs.webSitesFunctions}${resourceToken}'
    principalId: principalId
    publicDataBaseUrl: publicDataBaseUrl
    pipelineTimeZone: pipelineTimeZone
    planDeadlineDays: planDeadlineDays
    resubmissionDays: resubmissionDays
    targetsYear: targetsYear
    targetsPrtr: targetsPrtr
    targetsCarbon: targetsCarbon
    alertsWebhookEnabled: alertsWebhookEnabled
    alertsSupplierWebhookEnabled: alertsSupplierWebhookEnabled
    alertsFormat: alertsFormat
    alertsDigest: alertsDigest
    alertsWorkbenchUrl: alertsWorkbenchUrl
    publicDataApiKey: publicDataApiKey
    staffKey: staffKey
    analystKey: analystKey
    alertsWebhookUrl: alertsWebhookUrl
    alertsSupplierWebhookUrl: alertsSupplierWebhookUrl
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
  }
}

// azd stores these in .azure/<env>/.env; the README's commands use them.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = resources.outputs.FUNCTION_APP_NAME
output AZURE_STORAGE_ACCOUNT_NAME string = resources.outputs.STORAGE_ACCOUNT_NAME
output AZURE_STORAGE_DEPLOYMENT_CONTAINER string = resources.outputs.DEPLOYMENT_CONTAINER_NAME
output AZURE_USER_ASSIGNED_IDENTITY_CLIENT_ID string = resources.outputs.IDENTITY_CLIENT_ID
output AZURE_KEY_VAULT_NAME string = resources.outputs.KEY_VAULT_NAME
output AZURE_KEY_VAULT_ENDPOINT string = resources.outputs.KEY_VAULT_URI
output APPLICATIONINSIGHTS_NAME string = resources.outputs.APPLICATION_INSIGHTS_NAME
output SERVICE_FUNCTIONS_NAME string = resources.outputs.FUNCTION_APP_NAME
output SERVICE_FUNCTIONS_URI string = resources.outputs.FUNCTION_APP_URI
