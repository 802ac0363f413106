-- The townships' rows: the cases counted by value and measure letters first (a narrow sort),
-- then the letters folded into the figures.
INSERT INTO case_figures (county_code, grain, dim, period, township_code, value, received, on_spot, solved,
    in_progress, declined, merged, overdue, on_time, late, satisfied, partly, dissatisfied, unrated)
SELECT county_code, grain, dim, period, township_code, value, SUM(n),
    SUM(CASE WHEN substr(m, 1, 1) = 'o' THEN n ELSE 0 END),
    SUM(CASE WHEN substr(m, 1, 1) = 's' THEN n ELSE 0 END),
    SUM(CASE WHEN substr(m, 1, 1) = 'p' THEN n ELSE 0 END),
    SUM(CASE WHEN substr(m, 1, 1) = 'x' THEN n ELSE 0 END),
    SUM(CASE WHEN substr(m, 1, 1) = 'm' THEN n ELSE 0 END),
    SUM(CASE WHEN substr(m, 4, 1) = '1' THEN n ELSE 0 END),
    SUM(CASE WHEN substr(m, 2, 1) = '1' THEN n ELSE 0 END),
    SUM(CASE WHEN substr(m, 2, 1) = '0' THEN n ELSE 0 END),
    SUM(CASE WHEN substr(m, 3, 1) = 's' THEN n ELSE 0 END),
    SUM(CASE WHEN substr(m, 3, 1) = 'p' THEN n ELSE 0 END),
    SUM(CASE WHEN substr(m, 3, 1) = 'd' THEN n ELSE 0 END),
    SUM(CASE WHEN substr(m, 3, 1) = 'u' THEN n ELSE 0 END)
FROM (
SELECT county_code, grain, dim, period, township_code, value, m, COUNT(*) AS n
FROM (
    SELECT f.county_code, g.grain, d.dim, f.m,
        CASE g.grain WHEN 'd' THEN f.cday WHEN 'm' THEN substr(f.cday, 1, 7) WHEN 'rd' THEN f.rday ELSE substr(f.rday, 1, 7) END AS period,
        f.township_code,
        CASE d.dim
            WHEN 'all' THEN ''
            WHEN 'status' THEN f.lvl || '|' || f.status
            WHEN 'channel' THEN f.channel
            WHEN 'category' THEN f.category
            WHEN 'agency' THEN f.agency
            WHEN 'station' THEN f.station || '|' || f.channel
            ELSE f.deputy
        END AS value
    FROM (
        SELECT r.*,
            CASE WHEN r.status = 'merged' THEN 'm' WHEN r.status = 'declined' THEN 'x'
                 WHEN r.resolved IS NULL THEN 'p' WHEN r.on_spot THEN 'o' ELSE 's' END
            || CASE WHEN r.resolved IS NULL OR r.deadline_on IS NULL THEN '-'
                    WHEN r.rday <= r.deadline_on THEN '1' ELSE '0' END
            || CASE r.rating WHEN 'satisfied' THEN 's' WHEN 'partly' THEN 'p' WHEN 'dissatisfied' THEN 'd'
                    WHEN 'unrated' THEN 'u' ELSE '-' END
            || CASE WHEN r.overdue THEN '1' ELSE '0' END AS m
        FROM (
            SELECT q.*, CASE WHEN q.resolved IS NULL THEN NULL ELSE {CHINA_DAY(q.resolved)} END AS rday
            FROM (
                SELECT c.county_code, substr(c.region_code, 1, 9) AS township_code, c.status, c.channel, c.category,
                    COALESCE(c.level, '') AS lvl, COALESCE(c.agency_ref, '') AS agency,
                    COALESCE(c.station_ref, '') AS station, COALESCE(c.deputy_ref, '') AS deputy,
                    c.deadline_on, c.rating, c.overdue, c.on_spot,
                    {CHINA_DAY(c.created_at)} AS cday,
                    CASE WHEN c.status IN ('merged', 'declined') THEN NULL
                         WHEN c.replied_at IS NOT NULL THEN c.replied_at
                         WHEN c.status = 'closed' THEN c.closed_at
                         ELSE NULL END AS resolved
                FROM cases c
            ) q
        ) r
    ) f
    CROSS JOIN (SELECT 'd' AS grain UNION ALL SELECT 'm' UNION ALL SELECT 'rd' UNION ALL SELECT 'rm') g
    CROSS JOIN (SELECT 'all' AS dim UNION ALL SELECT 'status' UNION ALL SELECT 'channel' UNION ALL SELECT 'category'
                UNION ALL SELECT 'agency' UNION ALL SELECT 'station' UNION ALL SELECT 'deputy') d
    WHERE (g.grain IN ('d', 'm') OR f.rday IS NOT NULL)
      AND (d.dim <> 'agency' OR f.agency <> '')
      AND (d.dim <> 'station' OR f.station <> '')
      AND (d.dim <> 'deputy' OR f.deputy <> '')
) t
GROUP BY county_code, grain, dim, period, township_code, value, m
) u
GROUP BY county_code, grain, dim, period, township_code, value;
-- The county rows: every dimension but 'all' summed over the townships.
INSERT INTO case_figures (county_code, grain, dim, period, township_code, value, received, on_spot, solved,
    in_progress, declined, merged, overdue, on_time, late, satisfied, partly, dissatisfied, unrated)
SELECT county_code, 'c' || grain, dim, period, '', value, SUM(received), SUM(on_spot), SUM(solved), SUM(in_progress),
    SUM(declined), SUM(merged), SUM(overdue), SUM(on_time), SUM(late), SUM(satisfied), SUM(partly),
    SUM(dissatisfied), SUM(unrated)
FROM case_figures WHERE dim <> 'all' AND township_code <> ''
GROUP BY county_code, grain, dim, period, value;
