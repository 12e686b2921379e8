"""Names vulture cannot see used (``vulture src/chainfix vulture_whitelist.py``).

Hooks and click commands are called by pluggy and click; module ``__getattr__`` by Python; the
python-fitparse processor API and the fake server's ``do_*`` handlers by their frameworks; the
Garmin Connect client methods by the garmin-connect plugin; dataclass fields are read by name.
"""

# pluggy hooks (chainfix.hookspecs and the built-in sources' implementations)
register_sources  # noqa: B018, F821
register_commands  # noqa: B018, F821

# click commands, registered by decorators
assess, doctor, plugins_command, sources_command, set_  # noqa: B018, F821
sync_fit, sync_watch, sync_garmin, sync_status  # noqa: B018, F821
convert  # noqa: B018, F821  (click.ParamType)

# module __getattr__ (lazy exports in chainfix, chainfix.api, chainfix.planning)
__getattr__  # noqa: B018, F821

# python-fitparse's data-processor API, and the definition attribute it reads (fit/full.py)
run_type_processor, run_field_processor, run_unit_processor, run_message_processor  # noqa: B018, F821
data_message, mesg_type  # noqa: B018, F821

# io.RawIOBase and http.server.BaseHTTPRequestHandler protocols
readable, seekable, log_message, do_GET, do_POST, do_PUT, do_DELETE  # noqa: B018, F821

# click.Group overrides
format_commands  # noqa: B018, F821

# used by the garmin-connect plugin and by tests (outside src/chainfix)
list_activities, list_activity_page, download_original, revoke_tokens, localhost_only  # noqa: B018, F821
reset, hook_names, operations, writes, add_many, add_columns, data_size, uninstall  # noqa: B018, F821

# dataclass fields and result attributes read by name (JSON, reports, tests, coaches' data files)
span_weeks, uphill, has_intense, speed_intensity, zone_intensity, equ_divisor  # noqa: B018, F821
optional, confidence, reference, secondary, stabilisers, cautions, equipment_text  # noqa: B018, F821
running_weeks, addon_max_moves, retest_weeks, ladder_step, extra_set_side, cue  # noqa: B018, F821
parts_cached, row_factory, caption, caption_justify, __spec__, _di_token_url  # noqa: B018, F821
TOKEN_FILE, FILES, split_citations  # noqa: B018, F821
