package pgcatalog

import (
	"sort"
	"strings"
)

// Namespace OIDs.
const (
	nsPgCatalog  int64 = 11
	nsPgToast    int64 = 99
	nsPublic     int64 = 2200
	nsInfoSchema int64 = 13200

	roleOID      int64 = 10
	databaseOID  int64 = 16300
	heapAM       int64 = 2
	btreeAM      int64 = 403
	collDefault  int64 = 100
	collC        int64 = 950
	pgClassOID   int64 = 1259
	tablespaceDf int64 = 1663
)

// sysColumn is a column of a catalog relation.
type sysColumn struct {
	name string
	typ  uint32
}

// sysRelation is a pg_catalog or information_schema relation.
type sysRelation struct {
	schema string
	name   string
	oid    int64
	kind   byte // 'r' table, 'v' view
	cols   []sysColumn
	rows   func(st *state) [][]Value
}

// relationDefs lists the catalog relations: "schema.name kind" and "column type, ...". Types
// are SQL type names; the information_schema domains are sql_identifier (name),
// character_data and yes_or_no (varchar) and cardinal_number (int4).
var relationDefs = []struct{ head, cols string }{
	{"pg_catalog.pg_namespace r", "oid oid, nspname name, nspowner oid, nspacl aclitem[]"},
	{"pg_catalog.pg_class r", "oid oid, relname name, relnamespace oid, reltype oid, reloftype oid, relowner oid, relam oid, relfilenode oid, reltablespace oid, relpages int4, reltuples float4, relallvisible int4, reltoastrelid oid, relhasindex bool, relisshared bool, relpersistence char, relkind char, relnatts int2, relchecks int2, relhasrules bool, relhastriggers bool, relhassubclass bool, relrowsecurity bool, relforcerowsecurity bool, relispopulated bool, relreplident char, relispartition bool, relrewrite oid, relfrozenxid xid, relminmxid xid, relacl aclitem[], reloptions text[], relpartbound pg_node_tree, relhasoids bool"},
	{"pg_catalog.pg_attribute r", "attrelid oid, attname name, atttypid oid, attstattarget int4, attlen int2, attnum int2, attndims int4, attcacheoff int4, atttypmod int4, attbyval bool, attalign char, attstorage char, attcompression char, attnotnull bool, atthasdef bool, atthasmissing bool, attidentity char, attgenerated char, attisdropped bool, attislocal bool, attinhcount int4, attcollation oid, attacl aclitem[], attoptions text[], attfdwoptions text[], attmissingval text"},
	{"pg_catalog.pg_type r", "oid oid, typname name, typnamespace oid, typowner oid, typlen int2, typbyval bool, typtype char, typcategory char, typispreferred bool, typisdefined bool, typdelim char, typrelid oid, typsubscript regproc, typelem oid, typarray oid, typinput regproc, typoutput regproc, typreceive regproc, typsend regproc, typmodin regproc, typmodout regproc, typanalyze regproc, typalign char, typstorage char, typnotnull bool, typbasetype oid, typtypmod int4, typndims int4, typcollation oid, typdefaultbin pg_node_tree, typdefault text, typacl aclitem[]"},
	{"pg_catalog.pg_database r", "oid oid, datname name, datdba oid, encoding int4, datlocprovider char, datistemplate bool, datallowconn bool, datconnlimit int4, datlastsysoid oid, datfrozenxid xid, datminmxid xid, dattablespace oid, datcollate name, datctype name, daticulocale text, datcollversion text, datacl aclitem[]"},
	{"pg_catalog.pg_settings v", "name text, setting text, unit text, category text, short_desc text, extra_desc text, context text, vartype text, source text, min_val text, max_val text, enumvals text[], boot_val text, reset_val text, sourcefile text, sourceline int4, pending_restart bool"},
	{"pg_catalog.pg_roles v", "rolname name, rolsuper bool, rolinherit bool, rolcreaterole bool, rolcreatedb bool, rolcanlogin bool, rolreplication bool, rolconnlimit int4, rolpassword text, rolvaliduntil timestamptz, rolbypassrls bool, rolconfig text[], oid oid"},
	{"pg_catalog.pg_authid r", "oid oid, rolname name, rolsuper bool, rolinherit bool, rolcreaterole bool, rolcreatedb bool, rolcanlogin bool, rolreplication bool, rolbypassrls bool, rolconnlimit int4, rolpassword text, rolvaliduntil timestamptz"},
	{"pg_catalog.pg_user v", "usename name, usesysid oid, usecreatedb bool, usesuper bool, userepl bool, usebypassrls bool, passwd text, valuntil timestamptz, useconfig text[]"},
	{"pg_catalog.pg_shadow v", "usename name, usesysid oid, usecreatedb bool, usesuper bool, userepl bool, usebypassrls bool, passwd text, valuntil timestamptz, useconfig text[]"},
	{"pg_catalog.pg_auth_members r", "roleid oid, member oid, grantor oid, admin_option bool"},
	{"pg_catalog.pg_am r", "oid oid, amname name, amhandler regproc, amtype char"},
	{"pg_catalog.pg_proc r", "oid oid, proname name, pronamespace oid, proowner oid, prolang oid, procost float4, prorows float4, provariadic oid, prosupport regproc, prokind char, prosecdef bool, proleakproof bool, proisstrict bool, proretset bool, provolatile char, proparallel char, pronargs int2, pronargdefaults int2, prorettype oid, proargtypes oidvector, proallargtypes oid[], proargmodes char[], proargnames text[], proargdefaults pg_node_tree, protrftypes oid[], prosrc text, probin text, prosqlbody pg_node_tree, proconfig text[], proacl aclitem[], proisagg bool, proiswindow bool"},
	{"pg_catalog.pg_description r", "objoid oid, classoid oid, objsubid int4, description text"},
	{"pg_catalog.pg_shdescription r", "objoid oid, classoid oid, description text"},
	{"pg_catalog.pg_index r", "indexrelid oid, indrelid oid, indnatts int2, indnkeyatts int2, indisunique bool, indnullsnotdistinct bool, indisprimary bool, indisexclusion bool, indimmediate bool, indisclustered bool, indisvalid bool, indcheckxmin bool, indisready bool, indislive bool, indisreplident bool, indkey int2vector, indcollation oidvector, indclass oidvector, indoption int2vector, indexprs pg_node_tree, indpred pg_node_tree"},
	{"pg_catalog.pg_constraint r", "oid oid, conname name, connamespace oid, contype char, condeferrable bool, condeferred bool, convalidated bool, conrelid oid, contypid oid, conindid oid, conparentid oid, confrelid oid, confupdtype char, confdeltype char, confmatchtype char, conislocal bool, coninhcount int4, connoinherit bool, conkey int2[], confkey int2[], conpfeqop oid[], conppeqop oid[], conffeqop oid[], confdelsetcols int2[], conexclop oid[], conbin pg_node_tree"},
	{"pg_catalog.pg_attrdef r", "oid oid, adrelid oid, adnum int2, adbin pg_node_tree"},
	{"pg_catalog.pg_inherits r", "inhrelid oid, inhparent oid, inhseqno int4, inhdetachpending bool"},
	{"pg_catalog.pg_extension r", "oid oid, extname name, extowner oid, extnamespace oid, extrelocatable bool, extversion text, extconfig oid[], extcondition text[]"},
	{"pg_catalog.pg_available_extensions v", "name name, default_version text, installed_version text, comment text"},
	{"pg_catalog.pg_enum r", "oid oid, enumtypid oid, enumsortorder float4, enumlabel name"},
	{"pg_catalog.pg_range r", "rngtypid oid, rngsubtype oid, rngmultitypid oid, rngcollation oid, rngsubopc oid, rngcanonical regproc, rngsubdiff regproc"},
	{"pg_catalog.pg_collation r", "oid oid, collname name, collnamespace oid, collowner oid, collprovider char, collisdeterministic bool, collencoding int4, collcollate name, collctype name, colliculocale text, collversion text"},
	{"pg_catalog.pg_tablespace r", "oid oid, spcname name, spcowner oid, spcacl aclitem[], spcoptions text[]"},
	{"pg_catalog.pg_trigger r", "oid oid, tgrelid oid, tgparentid oid, tgname name, tgfoid oid, tgtype int2, tgenabled char, tgisinternal bool, tgconstrrelid oid, tgconstrindid oid, tgconstraint oid, tgdeferrable bool, tginitdeferred bool, tgnargs int2, tgattr int2vector, tgargs bytea, tgqual pg_node_tree, tgoldtable name, tgnewtable name"},
	{"pg_catalog.pg_event_trigger r", "oid oid, evtname name, evtevent name, evtowner oid, evtfoid oid, evtenabled char, evttags text[]"},
	{"pg_catalog.pg_policy r", "oid oid, polname name, polrelid oid, polcmd char, polpermissive bool, polroles oid[], polqual pg_node_tree, polwithcheck pg_node_tree"},
	{"pg_catalog.pg_statistic_ext r", "oid oid, stxrelid oid, stxname name, stxnamespace oid, stxowner oid, stxstattarget int4, stxkeys int2vector, stxkind char[], stxexprs pg_node_tree"},
	{"pg_catalog.pg_statistic_ext_data r", "stxoid oid, stxdinherit bool"},
	{"pg_catalog.pg_publication r", "oid oid, pubname name, pubowner oid, puballtables bool, pubinsert bool, pubupdate bool, pubdelete bool, pubtruncate bool, pubviaroot bool"},
	{"pg_catalog.pg_publication_namespace r", "oid oid, pnpubid oid, pnnspid oid"},
	{"pg_catalog.pg_publication_rel r", "oid oid, prpubid oid, prrelid oid, prqual pg_node_tree, prattrs int2vector"},
	{"pg_catalog.pg_publication_tables v", "pubname name, schemaname name, tablename name, attnames name[], rowfilter text"},
	{"pg_catalog.pg_subscription r", "oid oid, subdbid oid, subname name, subowner oid, subenabled bool, subconninfo text, subslotname name, subsynccommit text, subpublications text[]"},
	{"pg_catalog.pg_sequence r", "seqrelid oid, seqtypid oid, seqstart int8, seqincrement int8, seqmax int8, seqmin int8, seqcache int8, seqcycle bool"},
	{"pg_catalog.pg_sequences v", "schemaname name, sequencename name, sequenceowner name, data_type regtype, start_value int8, min_value int8, max_value int8, increment_by int8, cycle bool, cache_size int8, last_value int8"},
	{"pg_catalog.pg_tables v", "schemaname name, tablename name, tableowner name, tablespace name, hasindexes bool, hasrules bool, hastriggers bool, rowsecurity bool"},
	{"pg_catalog.pg_views v", "schemaname name, viewname name, viewowner name, definition text"},
	{"pg_catalog.pg_matviews v", "schemaname name, matviewname name, matviewowner name, tablespace name, hasindexes bool, ispopulated bool, definition text"},
	{"pg_catalog.pg_indexes v", "schemaname name, tablename name, indexname name, tablespace name, indexdef text"},
	{"pg_catalog.pg_stat_user_tables v", "relid oid, schemaname name, relname name, seq_scan int8, seq_tup_read int8, idx_scan int8, idx_tup_fetch int8, n_tup_ins int8, n_tup_upd int8, n_tup_del int8, n_tup_hot_upd int8, n_live_tup int8, n_dead_tup int8, n_mod_since_analyze int8, n_ins_since_vacuum int8, last_vacuum timestamptz, last_autovacuum timestamptz, last_analyze timestamptz, last_autoanalyze timestamptz, vacuum_count int8, autovacuum_count int8, analyze_count int8, autoanalyze_count int8"},
	{"pg_catalog.pg_stat_all_tables v", "relid oid, schemaname name, relname name, seq_scan int8, seq_tup_read int8, idx_scan int8, idx_tup_fetch int8, n_tup_ins int8, n_tup_upd int8, n_tup_del int8, n_live_tup int8, n_dead_tup int8"},
	{"pg_catalog.pg_statio_user_tables v", "relid oid, schemaname name, relname name, heap_blks_read int8, heap_blks_hit int8, idx_blks_read int8, idx_blks_hit int8"},
	{"pg_catalog.pg_stat_activity v", "datid oid, datname name, pid int4, leader_pid int4, usesysid oid, usename name, application_name text, client_addr inet, client_hostname text, client_port int4, backend_start timestamptz, xact_start timestamptz, query_start timestamptz, state_change timestamptz, wait_event_type text, wait_event text, state text, backend_xid xid, backend_xmin xid, query_id int8, query text, backend_type text"},
	{"pg_catalog.pg_stat_database v", "datid oid, datname name, numbackends int4, xact_commit int8, xact_rollback int8, blks_read int8, blks_hit int8, tup_returned int8, tup_fetched int8, tup_inserted int8, tup_updated int8, tup_deleted int8"},
	{"pg_catalog.pg_locks v", "locktype text, database oid, relation oid, page int4, tuple int2, virtualxid text, transactionid xid, classid oid, objid oid, objsubid int2, virtualtransaction text, pid int4, mode text, granted bool, fastpath bool, waitstart timestamptz"},
	{"pg_catalog.pg_depend r", "classid oid, objid oid, objsubid int4, refclassid oid, refobjid oid, refobjsubid int4, deptype char"},
	{"pg_catalog.pg_shdepend r", "dbid oid, classid oid, objid oid, objsubid int4, refclassid oid, refobjid oid, deptype char"},
	{"pg_catalog.pg_rewrite r", "oid oid, rulename name, ev_class oid, ev_type char, ev_enabled char, is_instead bool, ev_qual pg_node_tree, ev_action pg_node_tree"},
	{"pg_catalog.pg_language r", "oid oid, lanname name, lanowner oid, lanispl bool, lanpltrusted bool, lanplcallfoid oid, laninline oid, lanvalidator oid, lanacl aclitem[]"},
	{"pg_catalog.pg_cast r", "oid oid, castsource oid, casttarget oid, castfunc oid, castcontext char, castmethod char"},
	{"pg_catalog.pg_operator r", "oid oid, oprname name, oprnamespace oid, oprowner oid, oprkind char, oprcanmerge bool, oprcanhash bool, oprleft oid, oprright oid, oprresult oid, oprcom oid, oprnegate oid, oprcode regproc, oprrest regproc, oprjoin regproc"},
	{"pg_catalog.pg_opclass r", "oid oid, opcmethod oid, opcname name, opcnamespace oid, opcowner oid, opcfamily oid, opcintype oid, opcdefault bool, opckeytype oid"},
	{"pg_catalog.pg_opfamily r", "oid oid, opfmethod oid, opfname name, opfnamespace oid, opfowner oid"},
	{"pg_catalog.pg_aggregate r", "aggfnoid regproc, aggkind char, aggnumdirectargs int2, aggtransfn regproc, aggfinalfn regproc, aggsortop oid, aggtranstype oid, agginitval text"},
	{"pg_catalog.pg_conversion r", "oid oid, conname name, connamespace oid, conowner oid, conforencoding int4, contoencoding int4, conproc regproc, condefault bool"},
	{"pg_catalog.pg_foreign_table r", "ftrelid oid, ftserver oid, ftoptions text[]"},
	{"pg_catalog.pg_foreign_server r", "oid oid, srvname name, srvowner oid, srvfdw oid, srvtype text, srvversion text, srvacl aclitem[], srvoptions text[]"},
	{"pg_catalog.pg_foreign_data_wrapper r", "oid oid, fdwname name, fdwowner oid, fdwhandler oid, fdwvalidator oid, fdwacl aclitem[], fdwoptions text[]"},
	{"pg_catalog.pg_user_mapping r", "oid oid, umuser oid, umserver oid, umoptions text[]"},
	{"pg_catalog.pg_default_acl r", "oid oid, defaclrole oid, defaclnamespace oid, defaclobjtype char, defaclacl aclitem[]"},
	{"pg_catalog.pg_init_privs r", "objoid oid, classoid oid, objsubid int4, privtype char, initprivs aclitem[]"},
	{"pg_catalog.pg_seclabel r", "objoid oid, classoid oid, objsubid int4, provider text, label text"},
	{"pg_catalog.pg_partitioned_table r", "partrelid oid, partstrat char, partnatts int2, partdefid oid, partattrs int2vector, partclass oidvector, partcollation oidvector, partexprs pg_node_tree"},
	{"pg_catalog.pg_largeobject_metadata r", "oid oid, lomowner oid, lomacl aclitem[]"},
	{"pg_catalog.pg_cursors v", "name text, statement text, is_holdable bool, is_binary bool, is_scrollable bool, creation_time timestamptz"},
	{"pg_catalog.pg_prepared_statements v", "name text, statement text, prepare_time timestamptz, parameter_types regtype[], from_sql bool"},
	{"pg_catalog.pg_timezone_names v", "name text, abbrev text, utc_offset interval, is_dst bool"},
	{"pg_catalog.pg_timezone_abbrevs v", "abbrev text, utc_offset interval, is_dst bool"},
	{"pg_catalog.pg_replication_slots v", "slot_name name, plugin name, slot_type text, datoid oid, database name, temporary bool, active bool"},
	{"pg_catalog.pg_db_role_setting r", "setdatabase oid, setrole oid, setconfig text[]"},
	{"pg_catalog.pg_ts_config r", "oid oid, cfgname name, cfgnamespace oid, cfgowner oid, cfgparser oid"},
	{"pg_catalog.pg_stat_replication v", "pid int4, usesysid oid, usename name, application_name text, state text"},

	{"information_schema.schemata v", "catalog_name sqlid, schema_name sqlid, schema_owner sqlid, default_character_set_catalog sqlid, default_character_set_schema sqlid, default_character_set_name sqlid, sql_path chardata"},
	{"information_schema.tables v", "table_catalog sqlid, table_schema sqlid, table_name sqlid, table_type chardata, self_referencing_column_name sqlid, reference_generation chardata, user_defined_type_catalog sqlid, user_defined_type_schema sqlid, user_defined_type_name sqlid, is_insertable_into yesno, is_typed yesno, commit_action chardata"},
	{"information_schema.columns v", "table_catalog sqlid, table_schema sqlid, table_name sqlid, column_name sqlid, ordinal_position card, column_default chardata, is_nullable yesno, data_type chardata, character_maximum_length card, character_octet_length card, numeric_precision card, numeric_precision_radix card, numeric_scale card, datetime_precision card, interval_type chardata, interval_precision card, character_set_catalog sqlid, character_set_schema sqlid, character_set_name sqlid, collation_catalog sqlid, collation_schema sqlid, collation_name sqlid, domain_catalog sqlid, domain_schema sqlid, domain_name sqlid, udt_catalog sqlid, udt_schema sqlid, udt_name sqlid, scope_catalog sqlid, scope_schema sqlid, scope_name sqlid, maximum_cardinality card, dtd_identifier sqlid, is_self_referencing yesno, is_identity yesno, identity_generation chardata, identity_start chardata, identity_increment chardata, identity_maximum chardata, identity_minimum chardata, identity_cycle yesno, is_generated chardata, generation_expression chardata, is_updatable yesno"},
	{"information_schema.table_constraints v", "constraint_catalog sqlid, constraint_schema sqlid, constraint_name sqlid, table_catalog sqlid, table_schema sqlid, table_name sqlid, constraint_type chardata, is_deferrable yesno, initially_deferred yesno, enforced yesno, nulls_distinct yesno"},
	{"information_schema.key_column_usage v", "constraint_catalog sqlid, constraint_schema sqlid, constraint_name sqlid, table_catalog sqlid, table_schema sqlid, table_name sqlid, column_name sqlid, ordinal_position card, position_in_unique_constraint card"},
	{"information_schema.constraint_column_usage v", "table_catalog sqlid, table_schema sqlid, table_name sqlid, column_name sqlid, constraint_catalog sqlid, constraint_schema sqlid, constraint_name sqlid"},
	{"information_schema.constraint_table_usage v", "table_catalog sqlid, table_schema sqlid, table_name sqlid, constraint_catalog sqlid, constraint_schema sqlid, constraint_name sqlid"},
	{"information_schema.referential_constraints v", "constraint_catalog sqlid, constraint_schema sqlid, constraint_name sqlid, unique_constraint_catalog sqlid, unique_constraint_schema sqlid, unique_constraint_name sqlid, match_option chardata, update_rule chardata, delete_rule chardata"},
	{"information_schema.check_constraints v", "constraint_catalog sqlid, constraint_schema sqlid, constraint_name sqlid, check_clause chardata"},
	{"information_schema.views v", "table_catalog sqlid, table_schema sqlid, table_name sqlid, view_definition chardata, check_option chardata, is_updatable yesno, is_insertable_into yesno, is_trigger_updatable yesno, is_trigger_deletable yesno, is_trigger_insertable_into yesno"},
	{"information_schema.routines v", "specific_catalog sqlid, specific_schema sqlid, specific_name sqlid, routine_catalog sqlid, routine_schema sqlid, routine_name sqlid, routine_type chardata, data_type chardata, type_udt_catalog sqlid, type_udt_schema sqlid, type_udt_name sqlid, routine_body chardata, routine_definition chardata, external_language chardata, is_deterministic yesno, security_type chardata"},
	{"information_schema.parameters v", "specific_catalog sqlid, specific_schema sqlid, specific_name sqlid, ordinal_position card, parameter_mode chardata, parameter_name sqlid, data_type chardata, udt_name sqlid"},
	{"information_schema.sequences v", "sequence_catalog sqlid, sequence_schema sqlid, sequence_name sqlid, data_type chardata, numeric_precision card, start_value chardata, minimum_value chardata, maximum_value chardata, increment chardata, cycle_option yesno"},
	{"information_schema.triggers v", "trigger_catalog sqlid, trigger_schema sqlid, trigger_name sqlid, event_manipulation chardata, event_object_catalog sqlid, event_object_schema sqlid, event_object_table sqlid, action_order card, action_condition chardata, action_statement chardata, action_orientation chardata, action_timing chardata"},
	{"information_schema.table_privileges v", "grantor sqlid, grantee sqlid, table_catalog sqlid, table_schema sqlid, table_name sqlid, privilege_type chardata, is_grantable yesno, with_hierarchy yesno"},
	{"information_schema.role_table_grants v", "grantor sqlid, grantee sqlid, table_catalog sqlid, table_schema sqlid, table_name sqlid, privilege_type chardata, is_grantable yesno, with_hierarchy yesno"},
	{"information_schema.column_privileges v", "grantor sqlid, grantee sqlid, table_catalog sqlid, table_schema sqlid, table_name sqlid, column_name sqlid, privilege_type chardata, is_grantable yesno"},
	{"information_schema.usage_privileges v", "grantor sqlid, grantee sqlid, object_catalog sqlid, object_schema sqlid, object_name sqlid, object_type chardata, privilege_type chardata, is_grantable yesno"},
	{"information_schema.domains v", "domain_catalog sqlid, domain_schema sqlid, domain_name sqlid, data_type chardata, udt_name sqlid"},
	{"information_schema.element_types v", "object_catalog sqlid, object_schema sqlid, object_name sqlid, object_type chardata, collection_type_identifier sqlid, data_type chardata, udt_name sqlid"},
	{"information_schema.enabled_roles v", "role_name sqlid"},
	{"information_schema.applicable_roles v", "grantee sqlid, role_name sqlid, is_grantable yesno"},
	{"information_schema.character_sets v", "character_set_catalog sqlid, character_set_schema sqlid, character_set_name sqlid, character_repertoire sqlid, form_of_use sqlid, default_collate_catalog sqlid, default_collate_schema sqlid, default_collate_name sqlid"},
	{"information_schema.collations v", "collation_catalog sqlid, collation_schema sqlid, collation_name sqlid, pad_attribute chardata"},
	{"information_schema.attributes v", "udt_catalog sqlid, udt_schema sqlid, udt_name sqlid, attribute_name sqlid, ordinal_position card, data_type chardata"},
	{"information_schema.user_defined_types v", "user_defined_type_catalog sqlid, user_defined_type_schema sqlid, user_defined_type_name sqlid, user_defined_type_category chardata"},
	{"information_schema.view_table_usage v", "view_catalog sqlid, view_schema sqlid, view_name sqlid, table_catalog sqlid, table_schema sqlid, table_name sqlid"},
	{"information_schema.foreign_tables v", "foreign_table_catalog sqlid, foreign_table_schema sqlid, foreign_table_name sqlid, foreign_server_catalog sqlid, foreign_server_name sqlid"},
}

// wellKnownOIDs are the real OIDs of the catalogs clients name in casts ('pg_class'::regclass).
var wellKnownOIDs = map[string]int64{
	"pg_type": 1247, "pg_attribute": 1249, "pg_proc": 1255, "pg_class": 1259, "pg_authid": 1260,
	"pg_auth_members": 1261, "pg_database": 1262, "pg_namespace": 2615, "pg_description": 2609,
	"pg_constraint": 2606, "pg_index": 2610, "pg_attrdef": 2604, "pg_am": 2601, "pg_inherits": 2611,
	"pg_trigger": 2620, "pg_rewrite": 2618, "pg_depend": 2608, "pg_language": 2612, "pg_operator": 2617,
	"pg_cast": 2605, "pg_enum": 3501, "pg_extension": 3079, "pg_collation": 3456, "pg_tablespace": 1213,
	"pg_policy": 3256, "pg_range": 3541, "pg_statistic_ext": 3381, "pg_publication": 6104,
	"pg_publication_rel": 6106, "pg_sequence": 2224, "pg_shdescription": 2396, "pg_event_trigger": 3466,
	"pg_opclass": 2616, "pg_opfamily": 2753, "pg_aggregate": 2600, "pg_conversion": 2607,
	"pg_foreign_table": 3118, "pg_foreign_server": 1417, "pg_foreign_data_wrapper": 2328,
	"pg_user_mapping": 1418, "pg_default_acl": 826, "pg_init_privs": 3394, "pg_seclabel": 3596,
	"pg_partitioned_table": 3350, "pg_largeobject_metadata": 2995, "pg_shdepend": 1214,
	"pg_subscription": 6100, "pg_ts_config": 3602, "pg_statistic_ext_data": 3429, "pg_publication_namespace": 6237,
}

var (
	sysRelations   []*sysRelation
	sysByName      = map[string]*sysRelation{} // "schema.name"
	sysByShortName = map[string]*sysRelation{} // pg_catalog relations by bare name
)

func init() {
	next := int64(12000)
	for _, d := range relationDefs {
		head := strings.Fields(d.head)
		schema, name, _ := strings.Cut(head[0], ".")
		r := &sysRelation{schema: schema, name: name, kind: head[1][0]}
		if oid, ok := wellKnownOIDs[name]; ok && schema == "pg_catalog" {
			r.oid = oid
		} else {
			r.oid = next
			next++
		}
		for _, c := range strings.Split(d.cols, ",") {
			f := strings.Fields(c)
			cname, tname := f[0], strings.Join(f[1:], " ")
			var oid uint32
			switch tname {
			case "sqlid":
				oid = oidName
			case "chardata", "yesno":
				oid = oidVarchar
			case "card":
				oid = oidInt4
			case "char":
				oid = oidChar
			case "char[]":
				oid = oidCharArray
			default:
				tn := resolveTypeName(strings.TrimSuffix(tname, "[]"))
				if tn.OID == 0 {
					panic("pgcatalog: unknown type " + tname + " in " + d.head)
				}
				oid = tn.OID
				if strings.HasSuffix(tname, "[]") {
					oid = typeByOID(oid).array
				}
			}
			r.cols = append(r.cols, sysColumn{cname, oid})
		}
		sysRelations = append(sysRelations, r)
		sysByName[schema+"."+name] = r
		if schema == "pg_catalog" {
			sysByShortName[name] = r
		}
	}
	sort.Slice(sysRelations, func(i, j int) bool { return sysRelations[i].oid < sysRelations[j].oid })
	bindRows()
}

// IsCatalogRelation reports whether name (optionally schema-qualified, lower case) is one of
// the catalog relations.
func IsCatalogRelation(schema, name string) bool {
	if schema != "" {
		return sysByName[schema+"."+name] != nil
	}
	return sysByShortName[name] != nil
}
