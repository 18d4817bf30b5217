"""Request and response models of the API (pydantic), one module per resource.

They describe the JSON on the wire and nothing else: handlers build them from the services'
views and domain records (``Model.of(view)``), so no table or repository leaks into the OpenAPI spec.
"""
