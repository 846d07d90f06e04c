import { Size } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { CapacityProviderStrategyItem } from '../statemachine/contracts';

export interface RunnerNetworkProps {
  readonly vpcId: string;
  readonly subnetIds: string[];
  readonly assignPublicIp: boolean;
}

export interface RunnerClusterProps {
  /** @default - a new VPC with two public subnets, no NAT gateway, tasks with public IPs */
  readonly network?: RunnerNetworkProps;
  readonly containerInsights: boolean;
  readonly logRetention: logs.RetentionDays;
  /** The smallest instance each Managed Instances architecture needs (the largest Docker class of it). */
  readonly managedInstances?: Partial<Record<ManagedInstancesArchitecture, { vCpus: number; memoryMiB: number }>>;
}

export type ManagedInstancesArchitecture = 'x86_64' | 'arm64';

/** Where runner tasks run: the network, an egress-only security group, and the ECS cluster with its capacity. */
export class RunnerCluster extends Construct {
  readonly cluster: ecs.Cluster;
  readonly securityGroup: ec2.SecurityGroup;
  readonly subnets: ec2.ISubnet[];
  readonly assignPublicIp: boolean;
  private readonly managedInstances = new Map<string, ecs.ManagedInstancesCapacityProvider>();
  private readonly managedInstancesMinimum: Partial<Record<ManagedInstancesArchitecture, { vCpus: number; memoryMiB: number }>>;

  constructor(scope: Construct, id: string, props: RunnerClusterProps) {
    super(scope, id);
    this.managedInstancesMinimum = props.managedInstances ?? {};
    let vpc: ec2.IVpc;
    if (props.network) {
      vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: props.network.vpcId,
        availabilityZones: props.network.subnetIds.map((_, i) => `az-of-subnet-${i}`),
        publicSubnetIds: props.network.subnetIds,
      });
      this.subnets = props.network.subnetIds.map((subnetId, i) => ec2.Subnet.fromSubnetId(this, `Subnet${i}`, subnetId));
      this.assignPublicIp = props.network.assignPublicIp;
    } else {
      // Public subnets and public IPs: runners only make outbound calls, and a NAT gateway would cost more than the fleet.
      const created = new ec2.Vpc(this, 'Vpc', {
        maxAzs: 2,
        natGateways: 0,
        subnetConfiguration: [{ name: 'runners', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 20 }],
      });
      created.addFlowLog('FlowLogs', {
        destination: ec2.FlowLogDestination.toCloudWatchLogs(new logs.LogGroup(this, 'FlowLogGroup', { retention: props.logRetention })),
        trafficType: ec2.FlowLogTrafficType.REJECT,
      });
      // ec2.Vpc declares vpnGatewayId as `string | undefined`, which exactOptionalPropertyTypes rejects for IVpc.
      vpc = created as ec2.IVpc;
      this.subnets = created.publicSubnets;
      this.assignPublicIp = true;
    }

    this.securityGroup = new ec2.SecurityGroup(this, 'RunnerSecurityGroup', {
      vpc,
      description: 'GitHub Actions runner tasks: outbound only, nothing may connect in',
      allowAllOutbound: true,
    });

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc,
      enableFargateCapacityProviders: true,
      containerInsightsV2: props.containerInsights ? ecs.ContainerInsights.ENABLED : ecs.ContainerInsights.DISABLED,
    });
  }

  /**
   * Fargate Spot first; on-demand Fargate when Spot has no capacity or after repeated interruptions. Fargate Spot
   * does not run ARM64 Linux tasks (AWS ECS developer guide, "Fargate capacity providers"): no Spot strategy there.
   */
  fargateStrategies(architecture: ManagedInstancesArchitecture): { spot: CapacityProviderStrategyItem[]; onDemand: CapacityProviderStrategyItem[] } {
    const onDemand = [{ CapacityProvider: 'FARGATE', Weight: 1 }];
    return { spot: architecture === 'arm64' ? [] : [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }], onDemand };
  }

  /**
   * ECS Managed Instances capacity for Docker classes (Fargate cannot run a privileged Docker daemon): one
   * Spot and one on-demand provider per architecture, created on first use and shared by the classes.
   */
  managedInstancesStrategies(architecture: ManagedInstancesArchitecture): {
    spot: CapacityProviderStrategyItem[];
    onDemand: CapacityProviderStrategyItem[];
  } {
    const minimum = this.managedInstancesMinimum[architecture];
    if (!minimum) throw new Error(`No Managed Instances capacity was declared for ${architecture}: pass it in RunnerClusterProps.managedInstances`);
    const provider = (option: ecs.CapacityOptionType): CapacityProviderStrategyItem => {
      const key = `${architecture}-${option}`;
      let existing = this.managedInstances.get(key);
      if (!existing) {
        existing = new ecs.ManagedInstancesCapacityProvider(this, `ManagedInstances-${architecture}-${option}`, {
          subnets: this.subnets,
          securityGroups: [this.securityGroup],
          capacityOptionType: option,
          instanceRequirements: {
            vCpuCountMin: minimum.vCpus,
            memoryMin: Size.mebibytes(minimum.memoryMiB),
            cpuManufacturers: architecture === 'arm64' ? [ec2.CpuManufacturer.AWS] : [ec2.CpuManufacturer.INTEL, ec2.CpuManufacturer.AMD],
            burstablePerformance: ec2.BurstablePerformance.EXCLUDED,
          },
          propagateTags: ecs.PropagateManagedInstancesTags.CAPACITY_PROVIDER,
        });
        this.cluster.addManagedInstancesCapacityProvider(existing);
        this.managedInstances.set(key, existing);
      }
      return { CapacityProvider: existing.capacityProviderName, Weight: 1 };
    };
    return { spot: [provider(ecs.CapacityOptionType.SPOT)], onDemand: [provider(ecs.CapacityOptionType.ON_DEMAND)] };
  }
}
