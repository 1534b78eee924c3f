/**
 * The BillingService gRPC implementation: request message → validation → domain → response message.
 * Message types and the service definition are generated from proto/billing.proto (npx buf generate).
 */
import {
  BillingServiceService,
  type AccountMerge as AccountMergeMessage,
  type BillingServiceServer,
  type Invoice as InvoiceMessage,
} from '../../proto/generated/billing.js';
import { mergeAccounts, undoAccountMerge } from './account-merge.service.js';
import { BillingNotReadyError } from './billing.errors.js';
import type { AccountMerge, Invoice } from './billing.model.js';
import * as billing from './billing.service.js';
import {
  parseAccountMergeRequest,
  parseInvoicePageRequest,
  parseNewBillingAccount,
  parseNewInvoice,
  parsePatientId,
} from './billing.validation.js';
import type { BillingDb } from './db.js';
import type { Logger } from './logger.js';
import { withTolerantDecoding } from './tolerant-decoding.js';
import { unaryHandler } from './unary-handler.js';

export const billingServiceDefinition = withTolerantDecoding(BillingServiceService);

export interface BillingHandlerDependencies {
  db: BillingDb;
  logger: Logger;
  /** False until the schema is migrated; calls before that are UNAVAILABLE so clients retry. */
  isReady(): boolean;
}

export function createBillingHandlers({ db, logger, isReady }: BillingHandlerDependencies): BillingServiceServer {
  const context = (signal: AbortSignal): billing.BillingContext => {
    if (!isReady()) throw new BillingNotReadyError('billing server is starting');
    return { db, signal };
  };

  return {
    createBillingAccount: unaryHandler('CreateBillingAccount', logger, async (request, signal) => {
      const account = await billing.openBillingAccount(context(signal), parseNewBillingAccount(request));
      return { accountId: account.accountId, status: account.status };
    }),

    getBillingAccount: unaryHandler('GetBillingAccount', logger, async (request, signal) => {
      const account = await billing.getBillingAccount(context(signal), parsePatientId(request.patientId));
      return {
        accountId: account.accountId,
        patientId: account.patientId,
        status: account.status,
        createdAt: account.createdAt.toISOString(),
      };
    }),

    createInvoice: unaryHandler('CreateInvoice', logger, async (request, signal) => {
      const invoice = await billing.createInvoice(context(signal), parseNewInvoice(request));
      return { invoice: toInvoiceMessage(invoice) };
    }),

    listInvoices: unaryHandler('ListInvoices', logger, async (request, signal) => {
      const page = await billing.listInvoices(context(signal), parseInvoicePageRequest(request));
      return { invoices: page.invoices.map(toInvoiceMessage), nextPageToken: page.nextPageToken };
    }),

    mergeAccounts: unaryHandler('MergeAccounts', logger, async (request, signal) => {
      const { undo, ...merge } = parseAccountMergeRequest(request);
      const recorded = await (undo ? undoAccountMerge : mergeAccounts)(context(signal), merge);
      return { merge: toAccountMergeMessage(recorded) };
    }),
  };
}

function toAccountMergeMessage(merge: AccountMerge): AccountMergeMessage {
  return {
    mergeId: merge.mergeId,
    sourcePatientId: merge.sourcePatientId,
    targetPatientId: merge.targetPatientId,
    sourceAccountId: merge.sourceAccountId ?? '',
    targetAccountId: merge.targetAccountId ?? '',
    targetAccountOpened: merge.targetAccountOpened,
    movedInvoiceIds: merge.movedInvoiceIds,
    mergedAt: merge.mergedAt?.toISOString() ?? '',
    undoneAt: merge.undoneAt?.toISOString() ?? '',
  };
}

function toInvoiceMessage(invoice: Invoice): InvoiceMessage {
  return {
    invoiceId: invoice.invoiceId,
    accountId: invoice.accountId,
    currency: invoice.currency,
    lineItems: invoice.lineItems.map((item) => ({
      description: item.description,
      quantity: item.quantity,
      unitAmount: item.unitAmount,
    })),
    totalAmount: invoice.totalAmount,
    status: invoice.status,
    createdAt: invoice.createdAt.toISOString(),
  };
}
