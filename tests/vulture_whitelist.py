"""What vulture cannot see being used (tests/test_code_quality.py runs it on src/dmdesk with
this file, at the confidence in pyproject's [tool.vulture]).

One line a name, grouped by why it is used. Add a name only with its reason; delete dead code
instead of listing it here.
"""
# ruff: noqa
# mypy: ignore-errors
_ = object()

# Qt calls these: overrides of QAbstractItemModel, QStyledItemDelegate, QWizardPage.
_.createEditor  # unused method (src/dmdesk/gui/dialogs/customer_order_create.py)
_.isComplete  # unused method (src/dmdesk/gui/dialogs/import_pages.py)
_.validatePage  # unused method (src/dmdesk/gui/dialogs/import_pages.py)
_.initializePage  # unused method (src/dmdesk/gui/dialogs/import_pages.py)
_.initializePage  # unused method (src/dmdesk/gui/dialogs/import_pages.py)
_.isComplete  # unused method (src/dmdesk/gui/dialogs/import_pages.py)
_.initializePage  # unused method (src/dmdesk/gui/dialogs/import_run_pages.py)
_.isComplete  # unused method (src/dmdesk/gui/dialogs/import_run_pages.py)
_.initializePage  # unused method (src/dmdesk/gui/dialogs/import_run_pages.py)
_.isComplete  # unused method (src/dmdesk/gui/dialogs/import_run_pages.py)
_.headerData  # unused method (src/dmdesk/gui/models/reroute.py)
_.createEditor  # unused method (src/dmdesk/gui/models/reroute.py)
_.setEditorData  # unused method (src/dmdesk/gui/models/reroute.py)
_.setModelData  # unused method (src/dmdesk/gui/models/reroute.py)
_.headerData  # unused method (src/dmdesk/gui/models/paged_table.py)
_.fetchMore  # unused method (src/dmdesk/gui/models/paged_table.py)
_.headerData  # unused method (src/dmdesk/gui/models/problems.py)
_.headerData  # unused method (src/dmdesk/gui/views/dashboard.py)
_.headerData  # unused method (src/dmdesk/gui/views/detail_widgets.py)
_.displayText  # unused method (src/dmdesk/gui/views/product_tabs.py)
_.eventFilter  # unused method (src/dmdesk/gui/changes.py)
_.headerData  # unused method (src/dmdesk/gui/models/sync.py)

# SQLAlchemy reads these: TypeDecorator hooks and settings, event listeners registered by
# decorator, DBAPI connection settings, and mapped columns that only sync or raw SQL read.
_before_flush  # unused function (src/dmdesk/db/changes.py)
_after_flush  # unused function (src/dmdesk/db/changes.py)
_.isolation_level  # unused attribute (src/dmdesk/db/engine.py)
_on_connect  # unused function (src/dmdesk/db/engine.py)
_on_begin  # unused function (src/dmdesk/db/engine.py)
type_annotation_map  # unused variable (src/dmdesk/db/models.py)
moved_to_id  # unused variable (src/dmdesk/db/models.py)
rerouted_from_id  # unused variable (src/dmdesk/db/models.py)
quantity_per_unit  # unused variable (src/dmdesk/db/models.py)
to_work_order_id  # unused variable (src/dmdesk/db/models_network.py)
counted_good  # unused variable (src/dmdesk/db/models_network.py)
pull_cursor  # unused variable (src/dmdesk/db/models_sync.py)
SyncClock  # unused class (src/dmdesk/db/models_sync.py)
remote_hlc  # unused variable (src/dmdesk/db/models_sync.py)
deferred_at  # unused variable (src/dmdesk/db/models_sync.py)
impl  # unused variable (src/dmdesk/db/types.py)
cache_ok  # unused variable (src/dmdesk/db/types.py)
_.process_bind_param  # unused method (src/dmdesk/db/types.py)
_.process_result_value  # unused method (src/dmdesk/db/types.py)
impl  # unused variable (src/dmdesk/db/types.py)
cache_ok  # unused variable (src/dmdesk/db/types.py)
_.process_bind_param  # unused method (src/dmdesk/db/types.py)
_.process_result_value  # unused method (src/dmdesk/db/types.py)
cache_ok  # unused variable (src/dmdesk/db/types.py)
cache_ok  # unused variable (src/dmdesk/db/types.py)
impl  # unused variable (src/dmdesk/db/types.py)
cache_ok  # unused variable (src/dmdesk/db/types.py)
_.process_bind_param  # unused method (src/dmdesk/db/types.py)
_.process_result_value  # unused method (src/dmdesk/db/types.py)
_.isolation_level  # unused attribute (src/dmdesk/server/storage.py)
cache_ok  # unused variable (src/dmdesk/demo/bulk.py)

# Other libraries read these: ReportLab's PDF objects and QR internals (names are theirs),
# openpyxl's worksheet settings, pydantic's model config and reply fields.
_.freeze_panes  # unused attribute (src/dmdesk/documents/excel/writer.py)
_.data_type  # unused attribute (src/dmdesk/documents/excel/writer.py)
_.frozen  # unused attribute (src/dmdesk/documents/pdf/font_subsets.py)
_.__Comment__  # unused attribute (src/dmdesk/documents/pdf/font_subsets.py)
_.Name  # unused attribute (src/dmdesk/documents/pdf/font_subsets.py)
_.BaseFont  # unused attribute (src/dmdesk/documents/pdf/font_subsets.py)
_.FirstChar  # unused attribute (src/dmdesk/documents/pdf/font_subsets.py)
_.LastChar  # unused attribute (src/dmdesk/documents/pdf/font_subsets.py)
_.Widths  # unused attribute (src/dmdesk/documents/pdf/font_subsets.py)
_.ToUnicode  # unused attribute (src/dmdesk/documents/pdf/font_subsets.py)
_.FontDescriptor  # unused attribute (src/dmdesk/documents/pdf/font_subsets.py)
lost_points  # unused function (src/dmdesk/documents/pdf/qr.py)
_.dataCache  # unused attribute (src/dmdesk/documents/pdf/qr.py)
_.mapData  # unused method (src/dmdesk/documents/pdf/qr.py)
maskPattern  # unused variable (src/dmdesk/documents/pdf/qr.py)
_.ExtGState  # unused attribute (src/dmdesk/documents/pdf/thumbnails/forms.py)
_.XObject  # unused attribute (src/dmdesk/documents/pdf/thumbnails/forms.py)
_.beginText  # unused method (src/dmdesk/documents/pdf/thumbnails/record.py)
_.tabSelected  # unused attribute (src/dmdesk/documents/excel/writer.py): openpyxl writes it
model_config  # unused variable (src/dmdesk/server/schemas.py)
last_op_id  # unused variable (src/dmdesk/server/schemas.py)
server_time_ms  # unused variable (src/dmdesk/server/schemas.py)

# Fields of results and records: part of what a function returns (tests, the CLI or a
# later screen read them), or tuple fields read by unpacking.
remainder  # unused variable (src/dmdesk/domain/stock_take.py)
customer_order_id  # unused variable (src/dmdesk/queries/orders.py)
source_site_id  # unused variable (src/dmdesk/queries/reorder.py)
_.in_progress  # unused property (src/dmdesk/queries/rerouting.py)
progress_kept  # unused variable (src/dmdesk/services/rerouting.py)
move_ids  # unused variable (src/dmdesk/services/stock.py)
_.pull_cursor  # unused attribute (src/dmdesk/sync/client.py)
skipped  # unused variable (src/dmdesk/sync/merge.py)
_.skipped  # unused attribute (src/dmdesk/sync/merge.py)
_.skipped  # unused attribute (src/dmdesk/sync/merge.py)
_.skipped  # unused attribute (src/dmdesk/sync/merge.py)
_.skipped  # unused attribute (src/dmdesk/sync/merge.py)
_.skipped  # unused attribute (src/dmdesk/sync/merge.py)
_.skipped  # unused attribute (src/dmdesk/sync/merge.py)
last_op_id  # unused variable (src/dmdesk/sync/protocol.py)
last_hlc  # unused variable (src/dmdesk/sync/push.py)
_.skipped  # unused attribute (src/dmdesk/sync/union.py)

# Test seams of the GUI: what the GUI tests drive or replace (a printer, a file dialog).
_.use_printer  # unused method (src/dmdesk/gui/dialogs/jobsheet_print.py)
_.loading  # unused attribute (src/dmdesk/gui/dialogs/reroute.py)
_.wait_idle  # unused method (src/dmdesk/gui/tasks.py)
NoticeArea  # unused class (src/dmdesk/gui/views/placeholder.py)
_.file_dialog  # unused attribute (src/dmdesk/gui/views/site_reorder.py)
_.file_dialog  # unused attribute (src/dmdesk/gui/views/site_reorder.py)
_.trace_button  # unused attribute (src/dmdesk/gui/views/stock.py)
_.rename_lot_button  # unused attribute (src/dmdesk/gui/views/stock.py)
_.set_filters  # unused method (src/dmdesk/gui/views/work_orders.py)
_.create_for_line  # unused method (src/dmdesk/gui/views/work_orders.py)
_.file_menu  # unused attribute (src/dmdesk/gui/main_window.py)
_.new_database_action  # unused attribute (src/dmdesk/gui/main_window.py)
_.welcome_action  # unused attribute (src/dmdesk/gui/main_window.py)

# Pure rules and vocabulary kept with their tests: used by tests today, and by the lead's
# pending work (lifecycle is another branch's); candidates to remove if they stay unused.
explode  # unused function (src/dmdesk/domain/bom.py)
_.over  # unused method (src/dmdesk/domain/forecast.py)
INBOUND_REASONS  # unused variable (src/dmdesk/domain/kinds.py)
OUTBOUND_REASONS  # unused variable (src/dmdesk/domain/kinds.py)
LIFECYCLE_FIELDS  # unused variable (src/dmdesk/domain/lifecycle.py)
why_not  # unused function (src/dmdesk/domain/lifecycle.py)
LOT  # unused variable (src/dmdesk/domain/numbering.py)
parse_number  # unused function (src/dmdesk/domain/numbering.py)
Number  # unused variable (src/dmdesk/domain/quantity.py)

# Reads and services only tests call. Kept deliberately, each is a candidate for removal:
# stock.reverse is the correction the README names; set_location_archived and
# update_work_order drive the tests of closed locations and of sync conflicts;
# delete_product drives the outbox's delete capture; the rest are reads the tests (and
# the benchmarks: route_lines) use. Remove a line here when its code goes.
current_revision  # unused function (src/dmdesk/db/migrate.py)
with_fallback  # unused function (src/dmdesk/documents/pdf/fonts.py)
_.mapped  # unused method (src/dmdesk/documents/importing/base.py)
late_work_orders  # unused function (src/dmdesk/queries/capacity.py)
ALL_LISTS  # unused variable (src/dmdesk/queries/lists.py)
monthly_demand  # unused function (src/dmdesk/queries/reorder.py)
reroute_history  # unused function (src/dmdesk/queries/rerouting.py)
route_lines  # unused function (src/dmdesk/queries/routing.py)
work_order_shortages  # unused function (src/dmdesk/queries/stock.py)
rename_lot  # unused function (src/dmdesk/services/lots.py)
delete_product  # unused function (src/dmdesk/services/products.py)
set_location_archived  # unused function (src/dmdesk/services/sites.py)
reverse  # unused function (src/dmdesk/services/stock.py)
update_work_order  # unused function (src/dmdesk/services/work_orders.py)
# The chaos test edits an order that both sides see (tests/sync/chaos_actions.py).
update_customer_order  # unused function (src/dmdesk/services/customer_orders.py)

# Read by raw SQL or by the tests only, on purpose:
reverted_at  # unused variable (src/dmdesk/db/models.py): sync/revert.py reads it with SQL
SyncOrigin  # unused class (src/dmdesk/db/models_sync.py): the table; sync/digest.py uses SQL
continued_as  # unused variable (src/dmdesk/services/rerouting.py): the tests follow a split
# The document kit's entry point: the purchase orders and delivery notes that follow use it.
write_document  # unused function (src/dmdesk/documents/kit/document.py)

# SQLAlchemy reads these: a construct's cache flag, and a compiler registered by @compiles.
_.inherit_cache  # unused variable (src/dmdesk/queries/cross_join.py)
_._sqlite_cross_join  # unused function (src/dmdesk/queries/cross_join.py)
