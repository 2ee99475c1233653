import { describe, expect, it } from 'vitest';
import { onAuditRecorded, recordAuditInStatement, type AuditEntry } from '../../src/audit/record.js';
import { auditInsert } from '../../src/store/queries/audit-logs.js';

describe('recordAuditInStatement', () => {
  it("hands the statement the event's columns and tells the listeners of each row it wrote", async () => {
    const told: AuditEntry[] = [];
    const stop = onAuditRecorded((e) => told.push(e));
    try {
      const result = await recordAuditInStatement(
        'TOKEN_REFRESHED',
        async (event) => {
          expect(event).toEqual({ eventType: 'TOKEN_REFRESHED', category: 'TOKEN', severity: 'INFO' });
          return ['s1', 's2'];
        },
        (sessions) => sessions.map((sessionId) => ({ sessionId })),
      );
      expect(result).toEqual(['s1', 's2']);
      expect(told).toEqual([
        { type: 'TOKEN_REFRESHED', sessionId: 's1' },
        { type: 'TOKEN_REFRESHED', sessionId: 's2' },
      ]);
    } finally {
      stop();
    }
  });

  it('tells nobody when the statement fails', async () => {
    const told: AuditEntry[] = [];
    const stop = onAuditRecorded((e) => told.push(e));
    try {
      await expect(
        recordAuditInStatement('LOGIN_SUCCESS', () => Promise.reject(new Error('rolled back')), () => [{ sessionId: 's' }]),
      ).rejects.toThrow('rolled back');
      expect(told).toEqual([]);
    } finally {
      stop();
    }
  });
});

describe('auditInsert', () => {
  it('puts every expression under its own column, whatever order they are given in', () => {
    const sql = auditInsert(
      {
        data: 'd',
        userAgent: 'ua',
        ipAddress: 'ip',
        correlationId: 'corr',
        sessionId: 'sess',
        transactionId: 'tx',
        contextId: 'ctx',
        cupid: 'cu',
        severity: 'sev',
        category: 'cat',
        eventType: 'ev',
      },
      (expressions) => `VALUES (${expressions})`,
    );
    expect(sql.replace(/\s+/g, ' ')).toBe(
      'INSERT INTO audit_logs (event_type, event_category, severity, cupid, context_id, transaction_id, session_id, ' +
        'correlation_id, ip_address, user_agent, event_data) VALUES (ev, cat, sev, cu, ctx, tx, sess, corr, ip, ua, d)',
    );
  });
});
