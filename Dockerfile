# The cruxmap app and CLI; docker-compose.yml wires it to Neo4j.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY graph graph
COPY loaders loaders
COPY decompose decompose
COPY ui ui
COPY __init__.py ./
RUN pip install --no-cache-dir .
EXPOSE 8501
CMD ["cruxmap", "ui"]
