import { createDataFrame, FieldType } from '@grafana/data';
import { framesToCells, groupBySite, NO_SITE } from './frames';

const series = (labels: Record<string, string>, values: Array<number | null>) =>
  createDataFrame({
    name: 'chargewatch_connector_status_code',
    fields: [
      { name: 'Time', type: FieldType.time, values: values.map((_, i) => 1000 * i) },
      { name: 'Value', type: FieldType.number, values, labels },
    ],
  });

describe('framesToCells', () => {
  it('reads time series frames (one per series), using the latest non-null value', () => {
    const cells = framesToCells([
      series({ station_id: 'CP-2', site: 'North', evse: '1', connector: '1' }, [1, 3]),
      series({ station_id: 'CP-1', site: 'North', evse: '2', connector: '1' }, [9, null]),
      series({ station_id: 'CP-1', site: 'North', evse: '1', connector: '1' }, [1]),
    ]);
    expect(cells.map((c) => [c.stationId, c.evse, c.connector, c.status])).toEqual([
      ['CP-1', '1', '1', 'Available'],
      ['CP-1', '2', '1', 'Faulted'],
      ['CP-2', '1', '1', 'Charging'],
    ]);
  });

  it('reads table frames with label columns', () => {
    const frame = createDataFrame({
      fields: [
        { name: 'Time', type: FieldType.time, values: [1, 1, 1] },
        { name: 'connector', type: FieldType.string, values: ['1', '2', '1'] },
        { name: 'evse', type: FieldType.string, values: ['1', '1', '1'] },
        { name: 'site', type: FieldType.string, values: ['South', 'South', ''] },
        { name: 'station_id', type: FieldType.string, values: ['CP-9', 'CP-9', 'CP-10'] },
        { name: 'Value #A', type: FieldType.number, values: [8, 10, 0] },
      ],
    });
    const cells = framesToCells([frame]);
    expect(cells.map((c) => `${c.site}|${c.stationId}|${c.connector}|${c.status}`)).toEqual([
      `${NO_SITE}|CP-10|1|Unknown`,
      'South|CP-9|1|Unavailable',
      'South|CP-9|2|Occupied',
    ]);
  });

  it('ignores series without station_id and unknown codes become Unknown', () => {
    const cells = framesToCells([
      series({ site: 'X' }, [1]),
      series({ station_id: 'CP-1', evse: '1', connector: '1' }, [77]),
    ]);
    expect(cells).toHaveLength(1);
    expect(cells[0].status).toBe('Unknown');
    expect(cells[0].site).toBe(NO_SITE);
  });

  it('sorts station ids naturally and groups by site with counts', () => {
    const cells = framesToCells([
      series({ station_id: 'CP-10', site: 'B', evse: '1', connector: '1' }, [9]),
      series({ station_id: 'CP-9', site: 'B', evse: '1', connector: '1' }, [1]),
      series({ station_id: 'CP-1', site: 'A', evse: '1', connector: '1' }, [9]),
    ]);
    const groups = groupBySite(cells);
    expect(groups.map((g) => g.site)).toEqual(['A', 'B']);
    expect(groups[1].cells.map((c) => c.stationId)).toEqual(['CP-9', 'CP-10']);
    expect(groups[1].counts).toEqual({ Available: 1, Faulted: 1 });
  });
});
