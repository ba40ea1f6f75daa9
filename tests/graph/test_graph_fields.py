"""Reading output fields and parameters from JSON Schemas, and the keys that match them."""

from hardgen.graph import input_parameters, output_fields
from hardgen.graph._naming import is_identifier, name_tokens, normalise, tool_subject
from hardgen.schema import ToolSpec


def test_names_in_any_style_share_tokens() -> None:
    assert name_tokens("OrderIDs") == ("order", "id")
    assert normalise("orderIds") == normalise("order_id") == normalise("order-id") == "order_id"
    assert tool_subject("get_order_status") == ("order", "status")
    assert is_identifier("recipient_id") and is_identifier("zip_code") and not is_identifier("message")


def test_output_fields_walk_nested_arrays_with_star_paths() -> None:
    spec = ToolSpec(
        name="list_orders",
        returns={"type": "object", "properties": {
            "orders": {"type": "array", "items": {"type": "object", "properties": {
                "order_id": {"type": "string"},
                "lines": {"type": "array", "items": {"type": "object", "properties": {"sku": {"type": "string"}}}},
            }}},
            "count": {"type": "integer"},
        }},
    )
    paths = {f.path: f for f in output_fields(spec)}
    assert ("orders", "*", "order_id") in paths
    assert ("orders", "*", "lines", "*", "sku") in paths
    assert paths[("count",)].type == "integer"
    assert ("orderid", 1.0) in paths[("orders", "*", "order_id")].keys


def test_plain_id_fields_are_qualified_by_their_container() -> None:
    spec = ToolSpec(name="create_order", returns={"type": "object", "properties": {"id": {"type": "string"}}})
    (field,) = output_fields(spec)
    keys = dict(field.keys)
    assert "orderid" in keys and keys["id"] == 1.0


def test_scalar_result_is_named_after_the_tool() -> None:
    (field,) = output_fields(ToolSpec(name="get_zipcode", returns={"type": "string"}))
    assert field.path == () and field.name == "zipcode"


def test_parameter_keys_cover_suffixes_and_descriptions() -> None:
    spec = ToolSpec(name="transfer", parameters={"type": "object", "properties": {
        "source_account_id": {"type": "string"},
        "receiver_id": {"type": "string", "description": "The user id of the person who receives it"},
        "order_ids": {"type": "array", "items": {"type": "string"}},
        "note": {"type": "string"},
    }, "required": ["source_account_id"]})
    params = {p.name: p for p in input_parameters(spec)}
    assert "accountid" in dict(params["source_account_id"].keys)
    assert "userid" in dict(params["receiver_id"].keys)
    assert params["order_ids"].wrap_list and params["order_ids"].type == "string"
    assert params["source_account_id"].required and not params["note"].identifier
