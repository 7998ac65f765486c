/**
 * The default key policy AWS KMS gives a key created without one: the account's IAM policies
 * decide (Developer Guide, "Default key policy when you create a KMS key programmatically").
 *
 * The text is exactly what GetKeyPolicy returns for such a key, in AWS's own layout (two-space
 * indents, ` : ` between names and values, `[ {` and `} ]` around the one statement, no final
 * newline), as the Developer Guide's get-key-policy example for a programmatically created key shows.
 */
export function defaultKeyPolicy(accountId: string, partition = 'aws'): string {
  return [
    '{',
    '  "Version" : "2012-10-17",',
    '  "Id" : "key-default-1",',
    '  "Statement" : [ {',
    '    "Sid" : "Enable IAM User Permissions",',
    '    "Effect" : "Allow",',
    '    "Principal" : {',
    `      "AWS" : "arn:${partition}:iam::${accountId}:root"`,
    '    },',
    '    "Action" : "kms:*",',
    '    "Resource" : "*"',
    '  } ]',
    '}',
  ].join('\n');
}
