import { FileAgreements } from '../../src/providers/agreements/file-agreements.js';
import { DevOutbox } from '../../src/providers/delivery/dev-outbox.js';
import { DemoDirectory } from '../../src/providers/directory/demo-directory.js';
import { DrsSimulator } from '../../src/providers/risk/drs-simulator.js';
import { describeAgreementsContract } from './contracts/agreements-contract.js';
import { describeCodeSenderContract, describePushSenderContract } from './contracts/delivery-contract.js';
import { describeDirectoryContract } from './contracts/directory-contract.js';
import { describeRiskContract } from './contracts/risk-contract.js';

/** The development defaults run the same port contracts as the production adapters. */
const demoDirectory = new DemoDirectory();
describeDirectoryContract('Demo directory', () => demoDirectory);

describeRiskContract('DRS simulator', () => ({
  risk: new DrsSimulator(),
  actionToken: (recommendation, deviceId) => `sim:${recommendation.toLowerCase()}:${deviceId}`,
}));

const outbox = new DevOutbox();
const forStep = (transactionId: string) => outbox.list().filter((m) => m.transaction_id === transactionId);
describeCodeSenderContract('Dev outbox', () => ({
  sender: outbox,
  codesFor: (m) => forStep(m.transactionId).map((received) => received.code),
}));
describePushSenderContract('Dev outbox', () => ({
  sender: outbox,
  pushesFor: (m) => forStep(m.transactionId).length,
}));

// The embedded agreements know acceptances from the service's own rows; none here.
describeAgreementsContract('Embedded agreements', (world) => {
  const documents = new Map(world.documents.map((d) => [d.document_id, d]));
  return new FileAgreements(world.pending, async () => false, documents);
});
