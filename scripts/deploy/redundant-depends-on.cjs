/**
 * osls plugin: drops the DependsOn entries that osls writes although the same resource already references
 * its dependency (each function on its role, each HTTP API route on its integration). CloudFormation
 * derives that order from the Ref or GetAtt anyway, so the stack is unchanged; cfn-lint reports each of
 * them (W3005), and an emulator that validates with cfn-lint (moto) refuses the template on the first.
 */
/* global module */
'use strict';

/** Logical ids referenced by Ref, Fn::GetAtt or Fn::Sub anywhere in `node`. */
function referencedIds(node, ids = new Set()) {
  if (Array.isArray(node)) {
    for (const item of node) referencedIds(item, ids);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'Ref') ids.add(String(value));
      else if (key === 'Fn::GetAtt') ids.add(String(Array.isArray(value) ? value[0] : String(value).split('.')[0]));
      else if (key === 'Fn::Sub') {
        const text = Array.isArray(value) ? value[0] : value;
        for (const [, name] of String(text).matchAll(/\$\{(?!!)([^}.]+)[^}]*\}/g)) ids.add(name);
      }
      referencedIds(value, ids);
    }
  }
  return ids;
}

class RedundantDependsOn {
  constructor(serverless) {
    this.hooks = {
      'after:aws:package:finalize:mergeCustomProviderResources': () => {
        const resources = serverless.service.provider.compiledCloudFormationTemplate.Resources;
        for (const resource of Object.values(resources)) {
          if (resource.DependsOn === undefined) continue;
          const referenced = referencedIds({ Properties: resource.Properties, Condition: resource.Condition });
          const kept = [resource.DependsOn].flat().filter((id) => !referenced.has(id));
          if (kept.length === 0) delete resource.DependsOn;
          else resource.DependsOn = kept;
        }
      },
    };
  }
}

module.exports = RedundantDependsOn;
