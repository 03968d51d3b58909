import { Inject } from '@nestjs/common';
import { Command, Option, SubCommand } from 'nest-commander';
import { APP_CONFIG, AppConfig, formatCents, parseCents } from '@ozvps/core';
import { MAX_PLAN_PRICE_CENTS, Plan, PlanSyncService, PlansService, toPlanView } from '@ozvps/plans';
import { RepriceService, scheduledPricesDifferNote } from '@ozvps/servers';
import { GroupCommand, JsonOptions, OzvpsCommand, parseBoundedInt } from './base.command';
import { UsageError } from './cli-errors';
import { auditActor, printAudit, printFields, printJson, printTable, printText } from './output';

interface SyncOptions extends JsonOptions {
  force?: boolean;
}

@SubCommand({ name: 'sync', description: 'sync plans from VirtFusion now' })
export class PlansSyncCommand extends OzvpsCommand<SyncOptions> {
  protected readonly arity = 0;

  constructor(private readonly planSync: PlanSyncService) {
    super();
  }

  protected async execute(_: string[], options: SyncOptions): Promise<void> {
    const report = await this.planSync.sync('cli', { force: options.force === true, actor: auditActor() });
    printAudit(
      {
        action: 'plans.sync',
        user: '-',
        extra: `created=${report.created} updated=${report.updated} deactivated=${report.deactivated} reactivated=${report.reactivated} unchanged=${report.unchanged}${options.force ? ' forced' : ''}`,
      },
      !!options.json,
    );
    if (options.json) return printJson(report);
    printFields([
      ['created', report.created],
      ['updated', report.updated],
      ['deactivated', report.deactivated],
      ['reactivated', report.reactivated],
      ['unchanged', report.unchanged],
    ]);
    for (const c of report.changes) {
      printText(
        `  ${c.kind.padEnd(11)} package ${c.packageId}${c.fields.length ? `: ${c.fields.join(', ')}` : ''}\n`,
      );
    }
  }

  @Option({ flags: '--force', description: 'apply even if it takes every offered plan off sale' })
  parseForce(): boolean {
    return true;
  }
}

interface ListOptions extends JsonOptions {
  all?: boolean;
}

@SubCommand({ name: 'list', description: 'plans on sale (--all: every plan, with why it is not on sale)' })
export class PlansListCommand extends OzvpsCommand<ListOptions> {
  protected readonly arity = 0;

  constructor(
    private readonly plans: PlansService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  protected async execute(_: string[], options: ListOptions): Promise<void> {
    const plans = options.all ? await this.plans.listAll() : await this.plans.listActive();
    if (options.json) return printJson(plans.map(toPlanView));
    printTable(
      plans.map((p) => ({
        id: p.id,
        package: p.virtfusionPackageId,
        name: p.name,
        vcpu: p.vcpu,
        memory: `${p.memoryMb} MB`,
        storage: `${p.storageGb} GB`,
        traffic: p.trafficGb === 0 ? 'unlimited' : `${p.trafficGb} GB`,
        price:
          p.priceMonthlyCents === null ? null : formatCents(p.priceMonthlyCents, this.config.walletCurrency),
        status: statusOf(p),
      })),
      ['id', 'package', 'name', 'vcpu', 'memory', 'storage', 'traffic', 'price', 'status'],
    );
  }

  @Option({ flags: '--all', description: 'include plans not on sale' })
  parseAll(): boolean {
    return true;
  }
}

function statusOf(p: Plan): string {
  if (p.active) return 'on sale';
  if (!p.present) return 'gone from VirtFusion';
  if (!p.enabled) return 'disabled in VirtFusion';
  return 'no price';
}

interface SetPriceOptions extends JsonOptions {
  package?: string;
}

@SubCommand({
  name: 'set-price',
  arguments: '<plan-id> [amount_cents]',
  description:
    "set a plan's monthly price in cents: set-price <plan-id> <amount_cents>, or set-price --package <id> <amount_cents>",
})
export class PlansSetPriceCommand extends OzvpsCommand<SetPriceOptions> {
  protected readonly arity = 2;

  constructor(
    private readonly plans: PlansService,
    private readonly reprice: RepriceService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  protected async execute(params: string[], options: SetPriceOptions): Promise<void> {
    const byPackage = options.package !== undefined;
    if (params.length !== (byPackage ? 1 : 2)) {
      throw new UsageError(
        byPackage
          ? 'with --package <id>, give only the amount: ozvpsctl plans set-price --package 12 1500'
          : 'give the plan id and the amount: ozvpsctl plans set-price 3 1500 (or --package <id> <amount_cents>)',
      );
    }
    const id = byPackage
      ? parseBoundedInt(options.package!, '--package', 1, 2_147_483_647)
      : parseBoundedInt(params[0]!, 'plan id', 1, 2_147_483_647);
    const cents = parseCents(params[params.length - 1]!, MAX_PLAN_PRICE_CENTS, 'amount_cents');
    const plan = await this.plans.get(byPackage ? { packageId: id } : { planId: id });
    const updated = await this.plans.setPrice(plan, cents, auditActor());
    printAudit(
      {
        action: 'plans.set-price',
        user: '-',
        amountCents: cents,
        currency: this.config.walletCurrency,
        extra: `plan=${plan.id} package=${plan.virtfusionPackageId} previous_cents=${plan.priceMonthlyCents ?? 'none'} on_sale=${updated.active}`,
      },
      !!options.json,
    );
    // Servers already scheduled for another price keep it (never changed silently): say so.
    const differ = await this.reprice.scheduledPricesDiffer(updated.id, cents);
    const note = scheduledPricesDifferNote(differ);
    if (options.json) {
      if (note) process.stderr.write(`${note}\n`);
      return printJson({ ...toPlanView(updated), scheduledRepricesDiffer: differ.count });
    }
    printFields([
      ['plan', `${updated.id} ${updated.name} (package ${updated.virtfusionPackageId})`],
      ['price', `${formatCents(cents, this.config.walletCurrency)} a month`],
      ['status', statusOf(updated)],
    ]);
    if (note) printText(`${note}: ozvpsctl servers reprice --plan ${updated.id} --from <YYYY-MM-DD>\n`);
  }

  @Option({ flags: '--package <id>', description: 'name the plan by its VirtFusion package id instead' })
  parsePackage(value: string): string {
    return value;
  }
}

@SubCommand({
  name: 'off-sale',
  arguments: '<plan-id>',
  description: 'take a plan off sale (clears its price; set-price puts it back on sale)',
})
export class PlansOffSaleCommand extends OzvpsCommand<JsonOptions> {
  protected readonly arity = 1;

  constructor(private readonly plans: PlansService) {
    super();
  }

  protected async execute(params: string[], options: JsonOptions): Promise<void> {
    if (params.length !== 1) throw new UsageError('give the plan id: ozvpsctl plans off-sale 3');
    const plan = await this.plans.get({ planId: parseBoundedInt(params[0]!, 'plan id', 1, 2_147_483_647) });
    const updated = await this.plans.takeOffSale(plan);
    printAudit(
      {
        action: 'plans.off-sale',
        user: '-',
        extra: `plan=${plan.id} package=${plan.virtfusionPackageId} previous_cents=${plan.priceMonthlyCents ?? 'none'}`,
      },
      !!options.json,
    );
    if (options.json) return printJson(toPlanView(updated));
    printFields([
      ['plan', `${updated.id} ${updated.name} (package ${updated.virtfusionPackageId})`],
      ['status', statusOf(updated)],
    ]);
  }
}

@Command({
  name: 'plans',
  description: 'plans from VirtFusion: sync, list, prices, off sale',
  subCommands: [PlansSyncCommand, PlansListCommand, PlansSetPriceCommand, PlansOffSaleCommand],
})
export class PlansCommand extends GroupCommand {}
