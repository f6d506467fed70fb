// Worker entry of a decoding shard (bundled as dist/decoder-shard.js): one session, the batches
// the main thread assigns to it, answers by id. See DecoderShard in shard.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { LocalShard, createSession, type ShardReply, type ShardRequest, type ShardSpec } from './shard';
import { readModelFolder } from './folder';
import { TextTokenizer } from './tokenizer';
import { CancelledError } from '../cancel';

const port = parentPort!;
const spec = workerData as ShardSpec;
const reply = (m: ShardReply) => port.postMessage(m);

createSession(spec.onnxPath).then(
  (session) => {
    const shard = new LocalShard(session, spec, new TextTokenizer(readModelFolder(spec.dir)));
    // Requests are handled one at a time, in order: a run must see the assemble posted before it.
    let queue = Promise.resolve();
    port.on('message', (m: ShardRequest) => {
      queue = queue.then(async () => {
        try {
          if (m.type === 'assemble') shard.assemble(m.batch, m.caches);
          else if (m.type === 'dispose') shard.dispose(m.batch);
          else if (m.type === 'run') reply({ id: m.id, result: await shard.run(m.batch, m.tokens) });
          else if (m.type === 'extract') reply({ id: m.id, result: await shard.extract(m.batch, m.row) });
          else {
            // The main thread sets the flag on cancel; read it before every forward pass.
            const checkpoint = async () => {
              if (Atomics.load(m.cancel, 0)) throw new CancelledError();
            };
            reply({ id: m.id, result: await shard.decodeWith(m.batch, m.rows, m.rules, checkpoint) });
          }
        } catch (e) {
          if ('id' in m) reply({ id: m.id, error: (e as Error).message, cancelled: e instanceof CancelledError });
        }
      });
    });
    reply({ type: 'ready' });
  },
  (e: Error) => reply({ type: 'loadError', message: e.message }),
);
