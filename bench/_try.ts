import { benchIngest } from './lake-ingest.ts';
for (const t of process.argv.slice(2)) {
  const f = await benchIngest(
    { label: t, metadata: t, dataset: 'x' },
    { runs: 2, warmup: 1 },
    (s) => process.stdout.write(s),
  );
  console.log(JSON.stringify({ ...f, files: f.files.length }));
}
