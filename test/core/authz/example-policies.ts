/**
 * The two example key policies of seeds 000 and 001 ("Using a VPC endpoint in a policy statement"),
 * as the seeds print them, account and endpoint placeholders included. The second one has a
 * trailing comma after its last Resource, which AWS refuses; EXAMPLE_KEY_2 is that text, and
 * EXAMPLE_KEY_2_FIXED the same policy without the comma.
 */
import { ACCOUNT } from './fixtures.js';

export const USER_ALICE = { AWS: `arn:aws:iam::${ACCOUNT}:user/Alice` };
export const ROLE_PRINCIPAL = { AWS: `arn:aws:iam::${ACCOUNT}:role/ExampleRole` };

export const EXAMPLE_KEY_1 = `{
    "Id": "example-key-1",
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Enable IAM user permissions",
            "Effect": "Allow",
            "Principal": {"AWS":["111122223333"]},
            "Action": ["kms:*"],
            "Resource": "*"
        },
        {
            "Sid": "Restrict usage to my VPC endpoint",
            "Effect": "Deny",
            "Principal": "*",
            "Action": [
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey*"
            ],
            "Resource": "*",
            "Condition": {
                "StringNotEquals": {
                    "aws:sourceVpce": "vpce-0295a3caf8414c94a"
                }
            }
        }

    ]
}`;

export const EXAMPLE_KEY_2 = `{
    "Id": "example-key-2",
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Allow administrative actions from vpc-12345678",
            "Effect": "Allow",
            "Principal": {"AWS": "111122223333"},
            "Action": [
                "kms:Create*","kms:Enable*","kms:Put*","kms:Update*",
                "kms:Revoke*","kms:Disable*","kms:Delete*",
                "kms:TagResource", "kms:UntagResource"
            ],
            "Resource": "*",
            "Condition": {
                "StringEquals": {
                    "aws:sourceVpc": "vpc-12345678"
                }
            }
        },
        {
            "Sid": "Allow key usage from vpc-2b2b2b2b",
            "Effect": "Allow",
            "Principal": {"AWS": "111122223333"},
            "Action": [
                "kms:Encrypt","kms:Decrypt","kms:GenerateDataKey*"
            ],
            "Resource": "*",
            "Condition": {
                "StringEquals": {
                    "aws:sourceVpc": "vpc-2b2b2b2b"
                }
            }
        },
        {
            "Sid": "Allow read actions from everywhere",
            "Effect": "Allow",
            "Principal": {"AWS": "111122223333"},
            "Action": [
                "kms:Describe*","kms:List*","kms:Get*"
            ],
            "Resource": "*",
        }
    ]
}`;

export const EXAMPLE_KEY_2_FIXED = EXAMPLE_KEY_2.replace('"Resource": "*",\n        }', '"Resource": "*"\n        }');
