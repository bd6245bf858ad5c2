export { DataTable, type DataTableProps } from "./data-table";
export { FilterBar } from "./filter-bar";
export { useTableUrl } from "./table-url";
