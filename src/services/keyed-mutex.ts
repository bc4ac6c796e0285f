/**
 * Runs work for the same key one at a time within this process. The embedded database applies two concurrent updates
 * of one document as read-modify-write, so one can undo the other (and both guarded updates can "win"); every write
 * to a comment goes through here, while the guards in the update filters keep several processes on MongoDB apart.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release = () => {};
    const current = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
