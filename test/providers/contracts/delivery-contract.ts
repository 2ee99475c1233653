import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CodeMessage, CodeSender, PushMessage, PushSender } from '../../../src/providers/delivery/port.js';

export interface CodeSenderSubject {
  sender: CodeSender;
  /** The codes received so far for this step by its phone, as the customer reads them. */
  codesFor(message: CodeMessage): Promise<Array<string | undefined>> | Array<string | undefined>;
}

export interface PushSenderSubject {
  sender: PushSender;
  /** How many pushes the phone has received so far for this step. */
  pushesFor(message: PushMessage): Promise<number> | number;
}

function codeMessage(channel: 'sms' | 'voice', phoneNumber = '+447700900123'): CodeMessage {
  return { channel, cupid: 'CUPID_MFA_001', transactionId: randomUUID(), phoneNumber, code: String(100000 + Math.floor(Math.random() * 900000)) };
}

/** What every CodeSender (src/providers/delivery/port.ts) must do; `subject()` is called inside each test. */
export function describeCodeSenderContract(name: string, subject: () => CodeSenderSubject): void {
  describe(`${name}: the CodeSender port`, () => {
    it.each(['sms', 'voice'] as const)('delivers a %s code once, the code intact', async (channel) => {
      const { sender, codesFor } = subject();
      const message = codeMessage(channel);
      await sender.sendCode(message);
      expect(await codesFor(message)).toEqual([message.code]);
    });

    it('keeps two steps to two phones apart', async () => {
      const { sender, codesFor } = subject();
      const [first, second] = [codeMessage('sms'), codeMessage('sms', '+447700900456')];
      await sender.sendCode(first);
      await sender.sendCode(second);
      expect(await codesFor(first)).toEqual([first.code]);
      expect(await codesFor(second)).toEqual([second.code]);
    });
  });
}

/** What every PushSender (src/providers/delivery/port.ts) must do; `subject()` is called inside each test. */
export function describePushSenderContract(name: string, subject: () => PushSenderSubject): void {
  describe(`${name}: the PushSender port`, () => {
    it('delivers a push once per step', async () => {
      const { sender, pushesFor } = subject();
      const push: PushMessage = {
        cupid: 'CUPID_MFA_001',
        contextId: randomUUID(),
        transactionId: randomUUID(),
        numberChoices: [17, 42, 86],
        displayNumber: 42,
        approvalSecret: `approval-${randomUUID()}`,
        expiresAt: new Date(Date.now() + 120_000),
      };
      expect(await pushesFor(push)).toBe(0);
      await sender.sendPush(push);
      expect(await pushesFor(push)).toBe(1);
    });
  });
}
