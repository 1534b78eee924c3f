import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { billingServiceDefinition } from './billing.grpc.js';
import { undecodableReason } from './tolerant-decoding.js';

/** A varint, as protobuf writes tags. */
function varint(value: number): number[] {
  const bytes: number[] = [];
  while (value > 0x7f) {
    bytes.push((value & 0x7f) | 0x80);
    value >>>= 7;
  }
  return [...bytes, value];
}

describe("the billing server's request decoding", () => {
  test('an unknown field nested as groups ten thousand deep is refused as undecodable, not a stack overflow', () => {
    const start = varint((99 << 3) | 3); // field 99, start group
    const end = varint((99 << 3) | 4); // end group
    const bytes = Buffer.from([...Array.from({ length: 10_000 }, () => start).flat(), ...Array.from({ length: 10_000 }, () => end).flat()]);
    for (const method of Object.values(billingServiceDefinition)) {
      const decoded = method.requestDeserialize(bytes);
      assert.match(undecodableReason(decoded) ?? '', /recursion/, `${method.path} decoded ${JSON.stringify(decoded)}`);
    }
  });

  test('a well-formed request still decodes', () => {
    const method = billingServiceDefinition.createBillingAccount;
    const bytes = method.requestSerialize({ patientId: '0b0e4a38-3c2a-4c52-9f6a-2f1b4ce3a001', name: 'x', email: 'x@example.org' } as never);
    assert.equal(undecodableReason(method.requestDeserialize(bytes)), undefined);
  });
});
