/**
 * Reads a CloudFormation YAML template with its short-form tags turned into their long forms:
 * `!Ref x` → { Ref: x }, `!GetAtt a.b` → { 'Fn::GetAtt': [a, b] }, `!Sub [..]` → { 'Fn::Sub': [..] }.
 * An unknown tag (a typo such as `!GetAt`) is a problem, not a silently kept string.
 */
import { parseDocument, Pair, Scalar, YAMLMap, type Tags, type YAMLSeq } from 'yaml';

const functionNames = ['Base64', 'Cidr', 'FindInMap', 'GetAtt', 'GetAZs', 'ImportValue', 'Join', 'Select', 'Split', 'Sub', 'If', 'Equals', 'And', 'Or', 'Not'];
const longForm = (name: string) => (name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`);
const cloudFormationTags: Tags = ['Ref', 'Condition', ...functionNames].flatMap((name) => [
  {
    tag: `!${name}`,
    resolve: (value: string) => ({ [longForm(name)]: name === 'GetAtt' ? value.split('.') : value }),
  },
  ...(['seq', 'map'] as const).map((collection) => ({
    tag: `!${name}`,
    collection,
    resolve: (value: YAMLSeq | YAMLMap) => {
      const node = new YAMLMap();
      node.items.push(new Pair(new Scalar(longForm(name)), value));
      return node;
    },
  })),
]);

export function parseCloudFormationYaml(text: string): { template: unknown; problems: string[] } {
  const document = parseDocument(text, { customTags: cloudFormationTags });
  return { template: document.toJS(), problems: [...document.errors, ...document.warnings].map((e) => e.message) };
}
