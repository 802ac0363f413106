INSERT INTO case_tallies (county_code, grain, period, township_code, dim, key, n)
SELECT county_code, grain, period, township_code, dim, key, COUNT(*) FROM (
    SELECT c.county_code, g.grain,
        CASE g.grain WHEN 'd' THEN {CHINA_DAY(c.created_at)} ELSE {CHINA_MONTH(c.created_at)} END AS period,
        substr(c.region_code, 1, 9) AS township_code,
        d.dim,
        CASE d.dim
            WHEN 'total' THEN ''
            WHEN 'status' THEN c.status
            WHEN 'channel' THEN c.channel
            WHEN 'category' THEN c.category
            WHEN 'level' THEN COALESCE(c.level, '')
            WHEN 'rating' THEN COALESCE(c.rating, '')
            ELSE CASE WHEN c.overdue THEN '1' ELSE '0' END
        END AS key
    FROM cases c
    CROSS JOIN (SELECT 'd' AS grain UNION ALL SELECT 'm') g
    CROSS JOIN (SELECT 'total' AS dim UNION ALL SELECT 'status' UNION ALL SELECT 'channel' UNION ALL SELECT 'category'
                UNION ALL SELECT 'level' UNION ALL SELECT 'rating' UNION ALL SELECT 'overdue') d
) t
GROUP BY county_code, grain, period, township_code, dim, key;
