/**
 * osls plugin: the `${deploySetting:NAME}` variable source of serverless.yml.
 *
 * osls resolves `params.default` for every stage, the local one included, so a plain `${env:NAME}` there
 * would break `npm run dev`, and a fallback would ship a placeholder. This source reads the environment
 * variable NAME; in the `local` stage a missing one resolves to '' (`params.local` gives the local
 * defaults), in every other stage it stops package/deploy before anything is built or created, naming
 * the setting (remove included: osls validates the whole configuration first).
 */
/* global process, module */
'use strict';

class DeploySettings {
  constructor(serverless) {
    this.configurationVariablesSources = {
      deploySetting: {
        async resolve({ address, resolveVariable }) {
          const value = process.env[address];
          if (value) return { value };
          const stage = await resolveVariable('sls:stage');
          if (stage === 'local') return { value: '' };
          throw new serverless.classes.Error(
            `Missing deploy setting ${address} for stage "${stage}": set the environment variable ${address} ` +
              '(README, "Deploying to AWS").',
            'MISSING_DEPLOY_SETTING',
          );
        },
      },
    };
  }
}

module.exports = DeploySettings;
