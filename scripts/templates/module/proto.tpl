syntax = "proto3";

package {{name_snake}}.v1;

import "google/protobuf/timestamp.proto";

// {{Name}}Service manages {{namesText}}. Every RPC has an HTTP twin in
// {{Names}}HttpController; both call the same {{Names}}Service.
service {{Name}}Service {
  // Create{{Name}} creates a {{nameText}}.
  rpc Create{{Name}}(Create{{Name}}Request) returns (Create{{Name}}Response);
  // Get{{Name}} reads one {{nameText}} by id. An unknown id answers NOT_FOUND.
  rpc Get{{Name}}(Get{{Name}}Request) returns (Get{{Name}}Response);
  // List{{Names}} pages through {{namesText}} in creation order.
  rpc List{{Names}}(List{{Names}}Request) returns (List{{Names}}Response);
  // Update{{Name}} changes the fields that are set in the request.
  rpc Update{{Name}}(Update{{Name}}Request) returns (Update{{Name}}Response);
  // Delete{{Name}} removes a {{nameText}}. An unknown id answers NOT_FOUND.
  rpc Delete{{Name}}(Delete{{Name}}Request) returns (Delete{{Name}}Response);
}

// {{Name}} is one {{nameText}} known to the service.
message {{Name}} {
  // id is a UUID assigned by the service.
  string id = 1;
  string name = 2;
  google.protobuf.Timestamp create_time = 3;
  google.protobuf.Timestamp update_time = 4;
}

message Create{{Name}}Request {
  string name = 1;
}

message Create{{Name}}Response {
  {{Name}} {{name_snake}} = 1;
}

message Get{{Name}}Request {
  string id = 1;
}

message Get{{Name}}Response {
  {{Name}} {{name_snake}} = 1;
}

message List{{Names}}Request {
  // page_size is the maximum number of {{namesText}} returned; 0 means the default.
  int32 page_size = 1;
  // page_token is the next_page_token of a previous response.
  string page_token = 2;
}

message List{{Names}}Response {
  repeated {{Name}} {{names_snake}} = 1;
  // next_page_token is empty on the last page.
  string next_page_token = 2;
}

// Update{{Name}}Request changes only the fields that are present.
message Update{{Name}}Request {
  string id = 1;
  optional string name = 2;
}

message Update{{Name}}Response {
  {{Name}} {{name_snake}} = 1;
}

message Delete{{Name}}Request {
  string id = 1;
}

message Delete{{Name}}Response {}
