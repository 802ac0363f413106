-- Livelihood projects (民生实事项目) and the deputies' secret ballot on them (票决): people's
-- nominations (群众点单), screened into candidate projects; the candidate list the presidium
-- approves; the ballot (代表定单) with its trustees, credentials, electorate and board; then the
-- chosen projects' milestones, progress, deputies' inspections (问进度) and the year-end
-- evaluation (人大验单), itself a ballot.
--
-- Secrecy: nothing here links a deputy to a ballot. `ballot_electorate` says who may vote and
-- who did; `ballot_board` holds the encrypted ballots keyed by their tracker, with no time and no
-- row number (WITHOUT ROWID on SQLite), and sealing renumbers them in tracker order.

CREATE TABLE project_nominations (
    id             {ID_PK},
    county_code    TEXT NOT NULL,
    region_code    TEXT NOT NULL REFERENCES regions (code),
    station_slug   TEXT,
    -- `public` (the public form), `reception`, `grid`, `staff`.
    channel        TEXT NOT NULL,
    title          TEXT NOT NULL,
    place          TEXT NOT NULL DEFAULT '',
    content        TEXT NOT NULL,
    -- How many people asked for it (a petition of a village group counts them all).
    people         BIGINT NOT NULL DEFAULT 1,
    deputy_id      BIGINT REFERENCES deputies (id),
    -- `new`, `merged` (into project_id), `declined` (with a reason).
    status         TEXT NOT NULL,
    project_id     BIGINT,
    reason         TEXT NOT NULL DEFAULT '',
    recorded_by    TEXT NOT NULL,
    version        BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX project_nominations_region ON project_nominations (county_code, region_code, status);

CREATE TABLE projects (
    id             {ID_PK},
    county_code    TEXT NOT NULL,
    region_code    TEXT NOT NULL REFERENCES regions (code),
    -- The congress deciding it: `township` or `county`.
    level          TEXT NOT NULL,
    year           BIGINT NOT NULL,
    title          TEXT NOT NULL,
    place          TEXT NOT NULL DEFAULT '',
    description    TEXT NOT NULL DEFAULT '',
    -- Estimated cost in yuan.
    estimated_cost BIGINT NOT NULL DEFAULT 0,
    owner_agency   TEXT,
    -- `candidate`, `listed`, `chosen`, `not_chosen`, `undecided`, `done`.
    status         TEXT NOT NULL,
    people         BIGINT NOT NULL DEFAULT 0,
    created_by     TEXT NOT NULL,
    version        BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX projects_region ON projects (county_code, year, region_code);

CREATE TABLE candidate_lists (
    id             {ID_PK},
    county_code    TEXT NOT NULL,
    region_code    TEXT NOT NULL REFERENCES regions (code),
    level          TEXT NOT NULL,
    year           BIGINT NOT NULL,
    -- The session deciding it, e.g. 太和镇第十八届人民代表大会第五次会议.
    session        TEXT NOT NULL,
    places         BIGINT NOT NULL,
    -- Places may be at most this share of the candidates (差额比例), in percent.
    ratio_percent  BIGINT NOT NULL,
    -- `draft`, `approved`.
    status         TEXT NOT NULL,
    approved_by    TEXT,
    approved_note  TEXT NOT NULL DEFAULT '',
    approved_at    BIGINT,
    created_by     TEXT NOT NULL,
    version        BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX candidate_lists_region ON candidate_lists (county_code, region_code, year);

CREATE TABLE candidate_list_items (
    list_id    BIGINT NOT NULL REFERENCES candidate_lists (id),
    seq        BIGINT NOT NULL,
    project_id BIGINT NOT NULL REFERENCES projects (id),
    PRIMARY KEY (list_id, seq)
);
CREATE INDEX candidate_list_items_project ON candidate_list_items (project_id);

CREATE TABLE ballots (
    id            {ID_PK},
    county_code   TEXT NOT NULL,
    region_code   TEXT NOT NULL REFERENCES regions (code),
    level         TEXT NOT NULL,
    -- `choose` (at most k of n), `each` (for/against each), `evaluate` (year-end satisfaction).
    method        TEXT NOT NULL,
    list_id       BIGINT REFERENCES candidate_lists (id),
    year          BIGINT NOT NULL,
    title         TEXT NOT NULL,
    places        BIGINT NOT NULL,
    tie_rule      TEXT NOT NULL,
    -- The session's day; the electorate is the congress's deputies in office on it.
    held_on       TEXT NOT NULL,
    closes_at     BIGINT NOT NULL,
    -- `setup`, `open`, `closed`, `tallied`.
    status        TEXT NOT NULL,
    -- The SHA-256 of the credential authority's master secret, whose halves two keepers hold.
    credential_commitment TEXT,
    -- The election parameters (JSON) and their fingerprint, fixed on opening.
    election      TEXT,
    fingerprint   TEXT,
    electorate    BIGINT NOT NULL DEFAULT 0,
    paper_voters  BIGINT NOT NULL DEFAULT 0,
    paper_ballots BIGINT NOT NULL DEFAULT 0,
    head          TEXT,
    outcome       TEXT,
    created_by    TEXT NOT NULL,
    opened_at     BIGINT,
    closed_at     BIGINT,
    version       BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX ballots_region ON ballots (county_code, region_code, year);
CREATE INDEX ballots_open ON ballots (status, closes_at);

CREATE TABLE ballot_projects (
    ballot_id  BIGINT NOT NULL REFERENCES ballots (id),
    seq        BIGINT NOT NULL,
    project_id BIGINT NOT NULL REFERENCES projects (id),
    PRIMARY KEY (ballot_id, seq)
);

CREATE TABLE ballot_trustees (
    ballot_id    BIGINT NOT NULL REFERENCES ballots (id),
    seq          BIGINT NOT NULL,
    username     TEXT NOT NULL,
    display_name TEXT NOT NULL,
    -- The trustee's public key and its proof (JSON), once generated.
    public_key   TEXT,
    -- The trustee's decryption share of the tally (JSON), once given.
    share        TEXT,
    PRIMARY KEY (ballot_id, seq)
);

CREATE TABLE ballot_approvals (
    ballot_id   BIGINT NOT NULL REFERENCES ballots (id),
    username    TEXT NOT NULL,
    approved_at BIGINT NOT NULL,
    PRIMARY KEY (ballot_id, username)
);

CREATE TABLE project_milestones (
    id          {ID_PK},
    project_id  BIGINT NOT NULL REFERENCES projects (id),
    title       TEXT NOT NULL,
    due_on      TEXT NOT NULL,
    budget      BIGINT NOT NULL DEFAULT 0,
    done_on     TEXT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX project_milestones_project ON project_milestones (project_id, due_on);

CREATE TABLE project_updates (
    id          {ID_PK},
    project_id  BIGINT NOT NULL REFERENCES projects (id),
    -- `progress` (the owner's report), `inspection` (deputies on site), `question` (问进度).
    kind        TEXT NOT NULL,
    happened_on TEXT NOT NULL,
    body        TEXT NOT NULL,
    -- The owner's answer to a question.
    answer      TEXT NOT NULL DEFAULT '',
    percent     BIGINT,
    spent       BIGINT,
    deputies    TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX project_updates_project ON project_updates (project_id, happened_on);

CREATE TABLE project_photos (
    id          {ID_PK},
    update_id   BIGINT NOT NULL REFERENCES project_updates (id),
    hash        TEXT NOT NULL,
    mime        TEXT NOT NULL,
    bytes       BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX project_photos_update ON project_photos (update_id);
