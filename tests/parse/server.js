// The test Parse Server (started by tests/parse_server.py): PostgreSQL, files on disk,
// LiveQuery on the same port. Settings come as one JSON object in $STELE_PARSE_CONFIG.
const path = require('path');
const { ParseServer } = require('parse-server');
const FSFilesAdapter = require('@parse/fs-files-adapter');

const cfg = JSON.parse(process.env.STELE_PARSE_CONFIG);

async function main() {
  const server = await ParseServer.startApp({
    databaseURI: cfg.databaseURI,
    appId: cfg.appId,
    masterKey: cfg.masterKey,
    javascriptKey: cfg.javascriptKey,
    serverURL: `http://127.0.0.1:${cfg.port}/parse`,
    port: cfg.port,
    host: '127.0.0.1',
    mountPath: '/parse',
    cloud: path.join(__dirname, 'cloud.js'),
    filesAdapter: new FSFilesAdapter({ filesSubDirectory: cfg.filesDir }),
    // Cloud code and LiveQuery talk to the server over HTTP: with direct access (the default)
    // LiveQuery refused subscriptions that carry a session token.
    directAccess: false,
    startLiveQueryServer: true,
    liveQuery: { classNames: cfg.liveQueryClasses },
    allowClientClassCreation: false,
    logLevel: cfg.logLevel || 'error',
    verifyServerUrl: false,
  });
  process.stdout.write(`parse-server ready on ${cfg.port}\n`);
  const stop = () => server.handleShutdown().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch(err => {
  process.stderr.write(`parse-server failed: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
