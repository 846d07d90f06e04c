import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ASSIGNMENT_OBJECT_PREFIX, CLAIM_OBJECT_PREFIX, INTERRUPTION_OBJECT_PREFIX, JIT_OBJECT_PREFIX, RERUN_OBJECT_PREFIX, SLOT_OBJECT_PREFIX } from '../statemachine/contracts';

/**
 * Where runners' single-use JIT configs wait between Mint token and the task's start: a private bucket read
 * only by the runner tasks' execution roles (ECS environment files), so the config never appears in a state's
 * input or output, the execution history, RunTask overrides or DescribeTasks.
 */
export class JitConfigStore extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: false,
      // A JIT config is useless once its runner has started or been deleted; Clean up deletes it at once and
      // this rule catches anything a crashed execution left.
      lifecycleRules: [
        { prefix: JIT_OBJECT_PREFIX, expiration: Duration.days(1) },
        // Runner-name claims (the duplicate-event guard) must outlive their lifecycle to catch late duplicates.
        { prefix: CLAIM_OBJECT_PREFIX, expiration: Duration.days(1) },
        // Which job each runner took: read by Clean up when the runner ends, useless after a day.
        { prefix: ASSIGNMENT_OBJECT_PREFIX, expiration: Duration.days(1) },
        // Interruption records and re-run claims: they settle who re-runs an interrupted job, within minutes.
        { prefix: INTERRUPTION_OBJECT_PREFIX, expiration: Duration.days(1) },
        { prefix: RERUN_OBJECT_PREFIX, expiration: Duration.days(1) },
        // Runner slots (slots/) never expire: one is held as long as its runner runs; the sweeper frees stale ones.
      ],
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: false,
    });
  }

  /** Every JIT file: their names are per runner, so only a prefix can be granted. */
  get jitObjects(): string {
    return this.bucket.arnForObjects(`${JIT_OBJECT_PREFIX}*`);
  }

  /** Every runner-name claim. */
  get claimObjects(): string {
    return this.bucket.arnForObjects(`${CLAIM_OBJECT_PREFIX}*`);
  }

  private objects(prefix: string): string {
    return this.bucket.arnForObjects(`${prefix}*`);
  }

  private allow(grantee: iam.IGrantable, actions: string[], prefixes: string[]): void {
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: prefixes.map((prefix) => this.objects(prefix)) }));
  }

  /** Without it S3 answers a read of a missing object with 403 instead of 404 (NoSuchKey); also lists slots. */
  private allowList(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }));
  }

  /**
   * Mint token, Clean up and Re-run job: write and delete JIT files, take and release slots, write and read
   * claims, read assignments. Nothing deletes a claim.
   */
  grantWriteAndDelete(grantee: iam.IGrantable): void {
    this.allow(grantee, ['s3:PutObject', 's3:DeleteObject'], [JIT_OBJECT_PREFIX, SLOT_OBJECT_PREFIX]);
    this.allow(grantee, ['s3:PutObject', 's3:GetObject'], [CLAIM_OBJECT_PREFIX]);
    this.allow(grantee, ['s3:GetObject', 's3:DeleteObject'], [ASSIGNMENT_OBJECT_PREFIX]);
    this.allow(grantee, ['s3:PutObject'], [INTERRUPTION_OBJECT_PREFIX]);
    this.allow(grantee, ['s3:PutObject', 's3:GetObject'], [RERUN_OBJECT_PREFIX]);
    this.allowList(grantee);
  }

  /** The job-started handler: records assignments, reads claims and interruption records, claims re-runs. */
  grantRecordAssignments(grantee: iam.IGrantable): void {
    this.allow(grantee, ['s3:PutObject', 's3:DeleteObject'], [ASSIGNMENT_OBJECT_PREFIX]);
    this.allow(grantee, ['s3:GetObject', 's3:DeleteObject'], [INTERRUPTION_OBJECT_PREFIX]);
    this.allow(grantee, ['s3:PutObject', 's3:GetObject'], [RERUN_OBJECT_PREFIX]);
    this.allow(grantee, ['s3:GetObject'], [CLAIM_OBJECT_PREFIX]);
    this.allowList(grantee);
  }

  /** The sweeper: lists everything, reads slots, deletes leftover JIT files and stale slots. Never reads a JIT file. */
  grantSweep(grantee: iam.IGrantable): void {
    this.allow(grantee, ['s3:DeleteObject'], [JIT_OBJECT_PREFIX, SLOT_OBJECT_PREFIX]);
    this.allow(grantee, ['s3:GetObject'], [SLOT_OBJECT_PREFIX, CLAIM_OBJECT_PREFIX]);
    this.allowList(grantee);
  }

  /** What an ECS execution role needs to load a JIT file as an environment file. */
  grantReadAsEnvironmentFile(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [this.jitObjects] }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetBucketLocation'], resources: [this.bucket.bucketArn] }));
  }
}
