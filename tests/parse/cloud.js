// Cloud code of the test server: the `mobility` function as the OSCA backend answers it
// for public transport (the stele reads [0].availableOptions[]). Departures are made from the
// request so a test can tell which location was asked for and when.
Parse.Cloud.define('mobility', request => {
  const { type, lat, lon } = request.params;
  if (type !== 'public-transport') {
    throw new Parse.Error(Parse.Error.INVALID_QUERY, `unknown mobility type ${type}`);
  }
  if (typeof lat !== 'number' || typeof lon !== 'number') {
    throw new Parse.Error(Parse.Error.INVALID_QUERY, 'lat and lon are required numbers');
  }
  const now = Date.now();
  const minute = 60 * 1000;
  const stop = `Haltestelle ${lat.toFixed(4)},${lon.toFixed(4)}`;
  const option = (shortName, name, inMin, delayMin) => ({
    shortName,
    name,
    stop,
    departureTimePlanned: new Date(now + inMin * minute).toISOString(),
    departureTimeEstimated: new Date(now + (inMin + delayMin) * minute).toISOString(),
  });
  return [
    {
      type: 'public-transport',
      availableOptions: [
        option('681', 'Solingen Hbf', 3, 0),
        option('683', 'Wuppertal Vohwinkel', 7, 2),
        option('S7', 'Düsseldorf Hbf', 12, 1),
      ],
    },
  ];
});
