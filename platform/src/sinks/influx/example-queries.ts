/**
 * Example InfluxQL over the schema in docs/data-model.md. They run on InfluxDB 1.x (1.6+), on 2.x through
 * the DBRP mapping and on 3.x. The integration test runs every one against written data and expects rows.
 * In Grafana, replace `time > now() - 30d` with `$timeFilter` and `1d` with `$__interval` as needed.
 */
export interface ExampleQuery {
  title: string;
  influxql: string;
}

export const EXAMPLE_QUERIES: ExampleQuery[] = [
  {
    title: 'Energy per station per day (kWh, from ended sessions)',
    influxql:
      `SELECT sum("energy_wh") / 1000 AS "energy_kwh" FROM "transaction" ` +
      `WHERE "event" = 'ended' AND time > now() - 30d ` +
      `GROUP BY time(1d), "station_id" fill(none)`,
  },
  {
    title: 'Energy per station per day (kWh, from the energy register, sessions or not)',
    influxql:
      `SELECT sum("wh") / 1000 AS "energy_kwh" FROM (` +
      `SELECT spread("value") AS "wh" FROM "meter" ` +
      `WHERE "measurand" = 'Energy.Active.Import.Register' AND time > now() - 30d ` +
      `GROUP BY time(1d), "station_id", "evse", "connector"` +
      `) WHERE time > now() - 30d GROUP BY time(1d), "station_id" fill(none)`,
  },
  {
    title: 'Sessions per site (last 30 days)',
    influxql:
      `SELECT count("transaction_id") AS "sessions" FROM "transaction" ` +
      `WHERE "event" = 'started' AND time > now() - 30d GROUP BY "site"`,
  },
  {
    title: 'Connector status history (per station and connector)',
    influxql:
      `SELECT "status", "status_code", "error_code", "info" FROM "connector_status" ` +
      `WHERE time > now() - 7d GROUP BY "station_id", "evse", "connector"`,
  },
  {
    // error_code is a field (docs/data-model.md), and InfluxQL cannot GROUP BY a field: this lists the
    // faults with their code; count per code with Grafana's "Group by" transformation.
    title: 'Faults with their error code (count per code in Grafana: Group by error_code)',
    influxql:
      `SELECT "error_code", "vendor_error_code", "status", "info" FROM "connector_status" ` +
      `WHERE "error_code" != 'NoError' AND time > now() - 30d GROUP BY "station_id", "evse", "connector"`,
  },
  {
    title: 'Faults per station per day',
    influxql:
      `SELECT count("error_code") AS "faults" FROM "connector_status" ` +
      `WHERE "error_code" != 'NoError' AND time > now() - 30d GROUP BY time(1d), "station_id" fill(none)`,
  },
  {
    title: 'Security events per type and source (last 30 days)',
    influxql:
      `SELECT count("tech_info") AS "events" FROM "security_event" ` +
      `WHERE time > now() - 30d GROUP BY "event_type", "source"`,
  },
  {
    title: 'Security events, latest first',
    influxql:
      `SELECT "tech_info" FROM "security_event" WHERE time > now() - 30d ` +
      `GROUP BY "station_id", "event_type", "source" ORDER BY time DESC LIMIT 100`,
  },
];
