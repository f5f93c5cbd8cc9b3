import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BookLadder } from './book-ladder.ts';

/** A naive model: a Map of tick index → qty, rebuilt from the ladder's reported changes. */
function applyChanges(model: Map<number, bigint>, ladder: BookLadder): void {
  for (const index of ladder.takeChangedIndexes()) {
    const qty = ladder.qtyAt(index);
    if (qty === 0n) model.delete(index);
    else model.set(index, qty);
  }
}

describe('BookLadder', () => {
  it('random moves and quantity changes → the reported changes rebuild the ladder exactly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.constantFrom<1 | -1>(1, -1),
        fc.array(
          fc.oneof(
            fc.record({ kind: fc.constant('move' as const), by: fc.integer({ min: -70, max: 70 }) }),
            fc.record({ kind: fc.constant('set' as const), depth: fc.nat(), qty: fc.bigInt({ min: 1n, max: 50n }) }),
          ),
          { maxLength: 60 },
        ),
        (levels, direction, operations) => {
          let counter = 0n;
          const qtyAt = (): bigint => {
            counter += 1n;
            return counter;
          };
          const ladder = new BookLadder(levels, direction, 10_000, qtyAt);
          const model = new Map<number, bigint>();
          for (let depth = 0; depth < levels; depth += 1)
            model.set(10_000 + direction * depth, ladder.qtyAtDepth(depth));
          for (const operation of operations) {
            if (operation.kind === 'move') ladder.moveTo(ladder.best + operation.by, qtyAt);
            else ladder.setAtDepth(operation.depth % levels, operation.qty);
            applyChanges(model, ladder);
            expect(model.size).toBe(levels);
            for (let depth = 0; depth < levels; depth += 1) {
              expect(model.get(ladder.best + direction * depth)).toBe(ladder.qtyAtDepth(depth));
            }
          }
        },
      ),
    );
  });

  it('a move of k ticks → exactly k levels removed and k added', () => {
    const ladder = new BookLadder(10, -1, 500, () => 7n);
    ladder.takeChangedIndexes();
    ladder.moveTo(503, () => 9n);
    const changed = [...ladder.takeChangedIndexes()];
    expect(changed).toEqual([491, 492, 493, 501, 502, 503]);
    expect(changed.map((index) => ladder.qtyAt(index))).toEqual([0n, 0n, 0n, 9n, 9n, 9n]);
  });

  it('setting the same quantity → no change reported', () => {
    const ladder = new BookLadder(5, 1, 100, () => 3n);
    ladder.setAtDepth(2, 3n);
    expect(ladder.hasChanges).toBe(false);
    ladder.setAtDepth(2, 4n);
    expect([...ladder.takeChangedIndexes()]).toEqual([102]);
  });
});
